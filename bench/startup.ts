/**
 * Start-up of the `cbbd` command: median wall time of N runs of `--help`, `status` on a small lakehouse and `plan` for
 * one season, run from the TypeScript sources through tsx and compiled (bin/cbbd.js with an up-to-date dist/): from
 * Node's compile cache (what `cbbd` runs from its second run on) and without it (a first run: the cache emptied before
 * each), with Node's own start (`node -e 0`) for reference. `--runs N` (default 7); `--baseline <checkout>` also times another checkout's bin/cbbd.js (e.g.
 * `git archive <commit> | tar -x -C /tmp/before`, with node_modules linked in).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** Node's compile cache for these runs, in a folder of the bench's own: emptied before each "first run". */
const COMPILE_CACHE = mkdtempSync(join(tmpdir(), 'cbbd-startup-cache-'));
const emptyCompileCache = () => {
  rmSync(COMPILE_CACHE, { recursive: true, force: true });
};

interface Launcher {
  readonly name: string;
  readonly argv: readonly string[];
  /** Run before each timed run. */
  readonly before?: () => void;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * CPU time (user + system, ms) of this process's waited-for children, from /proc (Linux; 10 ms ticks): on a busy
 * machine wall time measures the queue for a core as much as the command, CPU time only the command.
 */
function childrenCpuMs(): number {
  if (!existsSync('/proc/self/stat')) return Number.NaN;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name: cutime and cstime are the 14th and 15th (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** One run's wall and CPU time in ms; a failing command stops the benchmark (a fast failure is not a fast start). */
function timeOnce(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): { wall: number; cpu: number } {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { env, cwd, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { wall, cpu: childrenCpuMs() - cpuBefore };
}

function medians(samples: readonly { wall: number; cpu: number }[]): string {
  return `${median(samples.map((s) => s.wall)).toFixed(0)} (${median(samples.map((s) => s.cpu)).toFixed(0)})`;
}

export async function startupBench(args: string[]): Promise<void> {
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 7;
  const baselineAt = args.indexOf('--baseline');
  const baseline = baselineAt >= 0 ? resolve(args[baselineAt + 1]!) : undefined;

  const dirs: string[] = [];
  /**
   * A small lakehouse (two raw assets of one season, from the built-in simulator) made by the launcher's own code:
   * another checkout's run log may not know this one's migrations. The environment its commands run with.
   */
  const lakehouseFor = (cli: string, assets: string): NodeJS.ProcessEnv => {
    const dir = mkdtempSync(join(tmpdir(), 'cbbd-startup-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'config.yaml'), [
      `assets: ${assets}`,
      'seasons: { first: 2024, last: 2024 }',
      `lakehouse: { root: ${join(dir, 'lakehouse')} }`,
      `runLog: { path: ${join(dir, 'runlog.sqlite')} }`,
      `checkpoints: { path: ${join(dir, 'checkpoints.sqlite')} }`,
    ].join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), NO_COLOR: '1', NODE_COMPILE_CACHE: COMPILE_CACHE };
    for (const name of ['CBBD_API_KEY', 'BEARER_TOKEN', 'CBBD_API_BASE_URL']) delete env[name];
    timeOnce([cli, 'materialize', 'raw/teams,raw/conferences', '--season', '2024'], env, dir);
    return env;
  };
  try {
    const env = lakehouseFor(join(ROOT, 'bin/cbbd.js'), join(ROOT, 'assets/index.ts'));
    const launchers: (Launcher & { env: NodeJS.ProcessEnv })[] = [
      { name: 'tsx (sources)', argv: ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts')], env },
      { name: 'compiled, compile cache', argv: [join(ROOT, 'bin/cbbd.js')], env },
      { name: 'compiled, first run', argv: [join(ROOT, 'bin/cbbd.js')], env, before: emptyCompileCache },
      ...(baseline ? [{ name: 'baseline', argv: [join(baseline, 'bin/cbbd.js')], env: lakehouseFor(join(baseline, 'bin/cbbd.js'), join(baseline, 'assets/index.ts')) }] : []),
    ];
    const commands = [['--help'], ['status'], ['plan', '--season', '2024']];
    const cwd = tmpdir();
    const nodeAlone = medians(Array.from({ length: runs }, () => timeOnce(['-e', '0'], env, cwd)));
    console.log(`\nmedian of ${runs} runs: wall ms (CPU ms, user + system). Node alone, \`node -e 0\`: ${nodeAlone}; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    if (baseline) console.log(`baseline: ${baseline}`);
    console.log(`${'launcher'.padEnd(22)}${commands.map((c) => c.join(' ').padStart(22)).join('')}`);
    for (const launcher of launchers) {
      const cells = commands.map((command) => {
        timeOnce([...launcher.argv, ...command], launcher.env, cwd); // warm the file cache (and tsx's compile cache)
        return medians(Array.from({ length: runs }, () => {
          launcher.before?.();
          return timeOnce([...launcher.argv, ...command], launcher.env, cwd);
        }));
      });
      console.log(`${launcher.name.padEnd(22)}${cells.map((cell) => cell.padStart(22)).join('')}`);
    }
  } finally {
    for (const dir of [...dirs, COMPILE_CACHE]) rmSync(dir, { recursive: true, force: true });
  }
}
