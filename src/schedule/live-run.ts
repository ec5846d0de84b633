/**
 * Naming the run a tick gives way to: its id, process, host, start, and the command that started it (read from
 * /proc on this host; a run of another host is named by its selection).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { LiveRun } from '../store/schedule-log.ts';

/** `run r2026… (pid 4242 on box, "cbbd materialize raw/teams --season 2024", since 2026-…Z)`. */
export function describeLiveRun(run: LiveRun): string {
  const command = run.host === hostname() ? commandLineOf(run.pid) : undefined;
  return `run ${run.id} (pid ${run.pid} on ${run.host}, ${command ? `"${command}"` : `selection "${run.selection}"`}, since ${new Date(run.startedAt).toISOString()})`;
}

/** The `cbbd ...` command line of a process of this host, without the --config path; undefined when unreadable. */
export function commandLineOf(pid: number): string | undefined {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
  const script = argv.findIndex((a) => /(^|\/)cbbd(\.js)?$/.test(a) || a.endsWith('/cli/main.ts'));
  if (script < 0) return undefined;
  const args = argv.slice(script + 1);
  const shown = args.filter((a, i) => a !== '--config' && args[i - 1] !== '--config' && !a.startsWith('--config='));
  return ['cbbd', ...shown].join(' ');
}
