/**
 * The CLI as a person sees it in a terminal: `cbbd materialize` run in a real pseudo-terminal (not a pipe) at 80 and
 * 160 columns, its screen rendered by a terminal emulator. Log lines are printed whole above the progress bar, never
 * through it; the summary is the last thing on the screen, whole, with no leftover of the bar; Ctrl-C says at once what
 * happens, the summary says what was built, what is left and that the same command resumes, and it does.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { LONG_WARNING } from '../fixtures/chatty-graph.ts';
import { runInTerminal, type TerminalSession } from './_terminal.ts';

const FIXTURE = resolve('test/fixtures/chatty-graph.ts');
const BAR = /[█░]/;

function project(sleepMs: number): NodeJS.ProcessEnv {
  const dir = tempDir('cbbd-tty-');
  writeFileSync(join(dir, 'config.yaml'), `assets: ${FIXTURE}\nseasons: { first: 2023, last: 2024 }\nmaterialize: { concurrency: 2, retries: 0 }\nrunLog: { path: ${join(dir, 'runlog.sqlite')} }\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_TEST_OUT: join(dir, 'out'), CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_TEST_SLEEP_MS: String(sleepMs) };
  for (const knob of ['CBBD_API_KEY', 'CBBD_API_BASE_URL', 'CBBD_TEST_FAIL', 'CBBD_LOG_LEVEL']) delete env[knob];
  return env;
}

/** The index of the first screen line matching `pattern`, failing with the screen when there is none. */
function lineOf(screen: string[], pattern: RegExp): number {
  const i = screen.findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`no line matches ${pattern} on the screen:\n${screen.join('\n')}`);
  return i;
}

async function finish(session: TerminalSession): Promise<{ code: number; screen: string[] }> {
  const code = await session.exited;
  return { code, screen: session.screen() };
}

describe.each([80, 160])('cbbd materialize in a %i-column terminal', (cols) => {
  it('prints log lines whole above the bar, and ends on the summary, whole, with no trace of the bar', async () => {
    const env = project(250);
    const session = runInTerminal(['materialize', '*'], { cols, env });
    // The bar is drawn while the run goes (a terminal, not a pipe: no JSON events).
    await session.waitFor(/\d+\/\d+ partitions/);
    const { code, screen } = await finish(session);
    expect(code, screen.join('\n')).toBe(0);
    // Every raw step's warning is on a line of its own (wrapped lines joined back), whole, escape sequence shown escaped.
    const warnings = screen.filter((l) => l.includes('WARN'));
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    for (const line of warnings) {
      expect(line).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] WARN: raw/\\w+: ${LONG_WARNING.replace(/[().]/g, '\\$&')} \\\\x1b\\[2J`));
      expect(line).not.toMatch(BAR);
    }
    expect(screen.some((l) => BAR.test(l) || /\d+\/\d+ partitions/.test(l))).toBe(false);
    // The summary: last, whole.
    const summary = lineOf(screen, /^Run r\S+ succeeded in /);
    expect(screen[summary]).toMatch(/^Run r\S+ succeeded in .+: 30 partition\(s\) materialized, 0 unchanged after upstream re-check, 0 failed, 0 skipped\.$/);
    expect(screen.slice(summary + 1).every((l) => !l.includes('WARN'))).toBe(true);
    expect(screen.at(-1)).not.toMatch(/^\s*$/);
  }, 120_000);

  it('Ctrl-C: one line at once, then the summary with what was built and what is left; the same command resumes', async () => {
    const env = project(1_500);
    const session = runInTerminal(['materialize', '*'], { cols, env });
    // Stop once a few steps are done: the raw steps log their warning as they start.
    await session.waitFor(/WARN: raw\/games/);
    session.type('\x03');
    await session.waitFor(/^stopping: /, 10_000);
    const { code, screen } = await finish(session);
    expect(code, screen.join('\n')).toBe(130);
    const stopping = lineOf(screen, /^stopping: finishing \d+ running step\(s\) \(up to 5 s\), committing nothing half done; Ctrl-C again abandons them$/);
    const summary = lineOf(screen, /^Run r\S+ cancelled in /);
    expect(stopping).toBeLessThan(summary);
    const last = /^cancelled: (\d+) built, (\d+) left — run the same command to resume$/.exec(screen.at(-1)!);
    expect(last, screen.join('\n')).not.toBeNull();
    const [built, left] = [Number(last![1]), Number(last![2])];
    expect(built).toBeGreaterThan(0);
    expect(left).toBeGreaterThan(0);
    // An expected stop is no error: no ERROR line, no stack, and not one line per step not started.
    expect(screen.filter((l) => /ERROR|^\s+at /.test(l))).toEqual([]);
    expect(screen.filter((l) => /^\s+skipped: /.test(l))).toEqual([]);
    expect(screen.some((l) => BAR.test(l))).toBe(false);

    // The same command builds exactly what the summary said was left.
    const again = runInTerminal(['materialize', '*'], { cols, env: { ...env, CBBD_TEST_SLEEP_MS: '0' } });
    const resumed = await finish(again);
    expect(resumed.code, resumed.screen.join('\n')).toBe(0);
    expect(resumed.screen[lineOf(resumed.screen, /^Run r\S+ succeeded in /)]).toContain(`: ${left} partition(s) materialized`);
    expect(built + left).toBe(30);
  }, 120_000);

  it('a second Ctrl-C says what it abandons, and the summary still ends the screen', async () => {
    const env = project(8_000);
    const session = runInTerminal(['materialize', '*'], { cols, env });
    await session.waitFor(/WARN: raw\//);
    session.type('\x03');
    await session.waitFor(/^stopping: finishing/, 10_000);
    session.type('\x03');
    const { code, screen } = await finish(session);
    expect(code, screen.join('\n')).toBe(130);
    const stopping = lineOf(screen, /^stopping: finishing [1-9]\d* running step\(s\)/);
    const abandoning = lineOf(screen, /^abandoning [1-9]\d* running step\(s\) \(raw\/[^)]*\): their partitions stay stale, never half-written; recording the run as cancelled$/);
    expect(stopping).toBeLessThan(abandoning);
    expect(screen.at(-1)).toMatch(/^cancelled: \d+ built, \d+ left — run the same command to resume$/);
    expect(screen.filter((l) => /ERROR|^\s+at /.test(l))).toEqual([]);
  }, 120_000);
});
