/**
 * A tick's command as a child process of the same CLI: `node bin/cbbd.js --config <file> <command...>`, exactly what
 * a user would type, in its own memory, so a tick that leaks or crashes leaves the scheduler as it was. Its output
 * goes to the scheduler's log line by line, tagged with the schedule's name.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../core/logger.ts';

/** How to start the CLI: the Node binary, the `cbbd` script, and the global options every tick gets (`--config`). */
export interface TickCli {
  readonly execPath: string;
  readonly script: string;
  readonly globalArgs: readonly string[];
}

export interface TickExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The command's own error line (`cbbd: ...`), or why it could not start. */
  readonly error?: string;
}

export interface TickProcess {
  readonly pid: number;
  readonly exited: Promise<TickExit>;
  /** Pass `signal` on to the command and wait for it to end; after `graceMs`, kill it. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<TickExit>;
}

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A pino JSON line, as `cbbd` writes its log when stderr is not a terminal. */
function logRecordOf(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{"level":')) return undefined;
  try {
    const record = JSON.parse(line) as unknown;
    return typeof record === 'object' && record !== null && !Array.isArray(record) ? (record as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function startTickProcess(cli: TickCli, command: readonly string[], log: Logger, schedule: string): TickProcess | { readonly error: string } {
  // Its own process group: a Ctrl-C on the terminal reaches the scheduler only, which passes it on once. Two SIGINTs
  // would make `materialize` stop at once instead of finishing the steps under way.
  const child = spawn(cli.execPath, [cli.script, ...cli.globalArgs, ...command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: process.env });
  if (child.pid === undefined) {
    child.on('error', () => undefined);
    return { error: `could not start ${cli.execPath} ${cli.script}` };
  }
  let error: string | undefined;
  for (const [stream, input] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
    createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
      if (stream === 'stderr' && line.startsWith('cbbd: ')) error = line.slice(6);
      const record = logRecordOf(line);
      if (!record) log.info({ schedule, stream, pid: child.pid }, line);
      else {
        // The command's own log line (JSON, not on a terminal): kept as a record, at its level, with the schedule.
        const { level, time: _time, msg, ...fields } = record;
        log[LEVELS[level as number] ?? 'info']({ ...fields, schedule, pid: child.pid }, typeof msg === 'string' ? msg : '');
      }
    });
  }
  const exited = new Promise<TickExit>((resolve) => {
    child.once('error', (e) => {
      error ??= e.message;
    });
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal, ...(error !== undefined && { error }) }));
  });
  const pid = child.pid;
  return {
    pid,
    exited,
    async stop(signal, graceMs) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      if (signal === 'SIGKILL') return exited;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
      const first = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (first !== 'late') return first;
      log.warn({ schedule, pid }, `the tick's command (pid ${pid}) did not stop within ${Math.round(graceMs / 1000)} s of ${signal}: killing it`);
      child.kill('SIGKILL');
      return exited;
    },
  };
}
