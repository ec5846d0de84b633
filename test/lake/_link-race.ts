/**
 * The attack on a sweep that removes by path strings: another process waits until the removal has listed a
 * subfolder and begun to unlink its files, then swaps the subfolder for a symbolic link to an outside folder whose
 * files have the same names. A removal that goes on by path (`sub/keep-1.txt`, ...) then unlinks the outside files
 * through the link. Used by the tests of both sweeps (the OS temp folder's scratch, the lakehouse's tmp/).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fileName = (i: number) => `keep-${i}.txt`;

// Waits for `<folder>/<sub>` to lose its first file, then swaps it for a link to `outside`; once only.
const SWAPPER = `
const fs = require('node:fs');
const [folder, subPath, outside, count] = process.argv.slice(1);
const sub = folder + '/' + subPath;
process.stdout.write('ready\\n');
for (;;) {
  let n = -1;
  try { n = fs.readdirSync(sub).length; } catch {}
  if (n >= 0 && n < Number(count)) break;
}
try { fs.renameSync(sub, sub + '-aside'); fs.symlinkSync(outside, sub); process.stdout.write('swapped\\n'); } catch (e) { process.stdout.write('missed ' + e.code + '\\n'); }
setInterval(() => {}, 1000);
`;

/** A folder of `count` files that must survive every sweep. */
export function outsideFiles(root: string, count: number): string {
  const outside = join(root, 'outside');
  mkdirSync(outside, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(outside, fileName(i)), 'precious');
  return outside;
}

export const filesIn = (folder: string): number => readdirSync(folder).length;

/**
 * Fill a folder to be swept: a few subfolders of files, and `subPath` (at any depth) holding files named as the
 * outside folder's are. Returns how many files `subPath` holds.
 */
export function fillSweepable(folder: string, subPath = 'sub', count = 1_000): number {
  for (let d = 0; d < 2; d++) {
    mkdirSync(join(folder, `part-${d}`), { recursive: true });
    for (let i = 0; i < 50; i++) writeFileSync(join(folder, `part-${d}`, `f-${i}`), 'scratch');
  }
  mkdirSync(join(folder, subPath), { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(folder, subPath, fileName(i)), 'scratch');
  return count;
}

/** Run `sweep` while another process lies in wait to swap `<folder>/<subPath>` for a link to `outside`. */
export async function whileSwapping<T>(folder: string, subPath: string, outside: string, sweep: () => Promise<T>): Promise<{ result: T; swapped: boolean }> {
  const count = readdirSync(join(folder, subPath)).length;
  const child = spawn(process.execPath, ['-e', SWAPPER, folder, subPath, outside, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    });
    child.once('error', reject);
  });
  try {
    const result = await sweep();
    await new Promise((r) => setTimeout(r, 50)); // the swapper's last word
    return { result, swapped: output.includes('swapped') };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}
