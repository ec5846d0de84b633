// Running the bundled CLI (dist/cbbd.cjs, see scripts/build.ts) from V8's code cache. Node 20 compiles every module
// again at each start (its compile cache came in Node 22); a script compiled through node:vm can be handed the code V8
// produced last time instead. The cache learns each command: the first run of a command after a build writes the
// cache again at its end, with what it compiled added to what it was handed, so `status`, `plan` and the others start
// without parsing most of the bundle from their second run on.
import { isAscii } from 'node:buffer';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

/** The CommonJS wrapper Node gives a module, so the bundle sees require, module, __filename and __dirname. */
const WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n})'];
/** Global options that take a value: what follows them is not the command's name. */
const OPTIONS_WITH_VALUES = new Set(['--config', '--assets']);

/** The command a run runs (`status`, `plan`...), or `help` when there is none. */
function commandOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (OPTIONS_WITH_VALUES.has(argv[i])) i++;
    else if (!argv[i].startsWith('-')) return argv[i];
  }
  return 'help';
}

/**
 * Run `file` (a CommonJS script) with the code cache kept beside it (`<file>.cache`), whose first line says what it
 * was made from: the bundle, by the content hash the build writes on the bundle's first line (V8 itself checks a
 * script only by its length), and the commands it has seen. V8 rejects a cache of another V8 or other flags.
 */
export function runWithCodeCache(file, argv) {
  const bytes = readFileSync(file);
  // The build writes ASCII only (esbuild's default): read as such, it is read several times faster than as UTF-8.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const made = /^\/\/ cbbd bundle ([0-9a-f]+)\n/.exec(source.slice(0, 64))?.[1];
  const command = commandOf(argv);
  const cacheFile = `${file}.cache`;
  let cachedData;
  let seen = [];
  try {
    const cache = made === undefined ? undefined : readFileSync(cacheFile);
    const end = cache?.indexOf(10) ?? -1;
    const [from, commands = ''] = end > 0 ? cache.toString('latin1', 0, end).split(' ') : [];
    if (from === made) {
      cachedData = cache.subarray(end + 1);
      seen = commands.split(',').filter(Boolean);
    }
  } catch {
    // No cache yet.
  }
  // Node 20 serves no import() from code compiled from a cache (nor without an experimental option): the bundle
  // require()s packages and imports a user's module with this function (src/cli/load-module.ts).
  globalThis[Symbol.for('cbbd.importModule')] = (url) => import(url);
  const script = new vm.Script(WRAPPER[0] + source + WRAPPER[1], { filename: file, cachedData });
  // A run with other V8 flags (a profiler, --expose-gc) has its cache rejected and leaves it alone: the cache it
  // would write, the next plain run would reject in turn.
  const rejected = cachedData !== undefined && script.cachedDataRejected;
  if (made !== undefined && ((rejected && process.execArgv.length === 0) || (!rejected && !seen.includes(command)))) {
    const commands = rejected ? [command] : [...seen, command];
    process.once('exit', () => {
      try {
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temporary, Buffer.concat([Buffer.from(`${made} ${commands.join(',')}\n`, 'latin1'), script.createCachedData()]));
        renameSync(temporary, cacheFile);
      } catch {
        // A read-only install (the container's image) runs without a cache it cannot write; it only starts slower.
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}
