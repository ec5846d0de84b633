/**
 * Whether the process that left something behind (a scratch folder, a staging entry) or holds something (a run's
 * partition leases, the scheduler lease, the cloud run-log lease) is still at work. A pid alone says little: it means
 * a process only on its own host and in its own pid namespace, and once its process is gone the kernel hands it to the
 * next one. So every leftover and every lease is stamped with where it was made, the pid and the process's start time
 * (`stampText`), and it counts as its writer's until all three say otherwise (`writerGone`, the one rule every sweep
 * and every lease judges by). A lease also expires when its holder stops beating, on any host (`holderGone`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** Whether a process of this host is still running: signal 0 checks without sending anything. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process's pid namespace ("pid:[4026531836]"), on Linux: a pid means this process only within it. */
export function ownPidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined; // not Linux: the hostname alone says "this machine"
  }
}

/**
 * When a process started, as the kernel counts it (clock ticks since boot, base 36), or undefined when this system
 * does not say (no /proc) or the process is gone. Two processes that share a pid one after the other differ here.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'. Start time is 22nd.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start && /^\d+$/.test(start) ? Number(start).toString(36) : undefined;
  } catch {
    return undefined;
  }
}

/** Who made a leftover: where its pid means something (host and pid namespace, hashed short), the pid, the start. */
export interface ProcessStamp {
  readonly where: string;
  readonly pid: number;
  /** `processStartTime`, or `0` when the system did not say: then only the pid is judged. */
  readonly started: string;
}

/** Here: this host and pid namespace, hashed to 8 hex digits (names are read by anyone who can list the folder). */
export const HERE = createHash('sha256').update(`${hostname()} ${ownPidNamespace() ?? ''}`).digest('hex').slice(0, 8);

let own: ProcessStamp | undefined;

/** This process's stamp. */
export function ownStamp(): ProcessStamp {
  own ??= { where: HERE, pid: process.pid, started: processStartTime(process.pid) ?? '0' };
  return own;
}

/** A stamp as it goes into a name: `<pid>-<started>-<where>`. */
export function stampText(stamp: ProcessStamp = ownStamp()): string {
  return `${stamp.pid}-${stamp.started}-${stamp.where}`;
}

/** The pattern of `stampText` inside a longer name: three groups, pid, started, where. */
export const STAMP_PATTERN = '(\\d{1,10})-([0-9a-z]{1,13})-([0-9a-f]{8})';

/** The stamp a lease row or item keeps (`stampText`), or undefined for one written before stamps (or not one). */
export function parseStamp(text: string | null | undefined): ProcessStamp | undefined {
  const m = text ? new RegExp(`^${STAMP_PATTERN}$`).exec(text) : null;
  return m ? stampOf(m[1]!, m[2]!, m[3]!) : undefined;
}

/**
 * Whether a lease's holder is gone: its stamp says so (`writerGone`: this host and pid namespace, and the pid runs no
 * process or another one), or it has not beaten for `staleMs`, wherever it ran. A lease with no stamp (written by an
 * older version) ends by its heartbeat alone.
 */
export function holderGone(holder: { readonly process?: string | null | undefined; readonly heartbeatAt: number }, now: number, staleMs: number): boolean {
  const stamp = parseStamp(holder.process);
  return (stamp !== undefined && writerGone(stamp)) || now - holder.heartbeatAt > staleMs;
}

/** The stamp of a name's groups matched by STAMP_PATTERN. */
export function stampOf(pid: string, started: string, where: string): ProcessStamp {
  return { pid: Number(pid), started, where };
}

/**
 * The one rule every sweep judges by: a leftover's writer is gone only when it was made here (same host and pid
 * namespace) and its pid now runs no process, or runs one that started at another time (the pid was reused).
 * Anything else (another host's, a pid alive with the same start, a start time this system cannot read) is a
 * writer that may be at work: at worst a leftover stays, never is one removed under a live writer.
 */
export function writerGone(stamp: ProcessStamp): boolean {
  if (stamp.where !== HERE || !Number.isSafeInteger(stamp.pid) || stamp.pid <= 0) return false;
  if (stamp.pid === process.pid) return stamp.started !== ownStamp().started;
  if (!processAlive(stamp.pid)) return true;
  if (stamp.started === '0') return false;
  const started = processStartTime(stamp.pid);
  return started !== undefined && started !== stamp.started;
}
