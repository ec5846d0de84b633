import { readlinkSync } from 'node:fs';

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
