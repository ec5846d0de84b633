// Running the bundled CLI (dist/cbbd.cjs, see scripts/build.ts) from V8's code cache. Node 20 compiles every module
// again at each start (its compile cache came in Node 22); a script compiled through node:vm can be handed the code V8
// produced last time instead. Each command has its own cache (`dist/cbbd.cjs.<command>.cache`), written at the end of
// its first successful run after a build with what that run compiled: `--help` is not handed the code of `plan`, and
// `status`, `plan` and the others start without parsing most of the bundle from their second run on.
import { isAscii } from 'node:buffer';
import { randomBytes } from 'node:crypto';
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

/** FNV-1a, 32 bits, in hex: a name for a set of Node flags. */
function shortHash(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * The cache of `command` for the bundle `file` under Node flags `flags` (execArgv and NODE_OPTIONS): V8 rejects a
 * cache made under other flags, so each set has its own (`dist/cbbd.cjs.status.cache`, `...status.1a2b3c4d.cache`).
 * Undefined for a name that cannot be a command's.
 */
export function cacheFileOf(file, command, flags) {
  if (!/^[a-z][a-z-]{0,31}$/.test(command)) return undefined;
  return `${file}.${command}${flags ? `.${shortHash(flags)}` : ''}.cache`;
}

/**
 * Run `file` (a CommonJS script) with the code cache of the command in `argv`, kept beside it. The cache starts with
 * the line `// cbbd bundle <hash>` of the bundle it was made from: V8 itself checks a script only by its length, and
 * would run the old code of a rebuilt bundle of the same length. `CBBD_CODE_CACHE_DEBUG=1` says on stderr whether
 * V8 took the cache.
 */
export function runWithCodeCache(file, argv) {
  const bytes = readFileSync(file);
  // The build writes ASCII only (esbuild's default): read as such, it is read several times faster than as UTF-8.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const made = /^\/\/ cbbd bundle [0-9a-f]+\n/.exec(source.slice(0, 64))?.[0];
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  const cacheFile = made ? cacheFileOf(file, commandOf(argv), flags) : undefined;
  let cachedData;
  try {
    const cache = cacheFile ? readFileSync(cacheFile) : undefined;
    if (cache?.toString('latin1', 0, made.length) === made) cachedData = cache.subarray(made.length);
  } catch {
    // No cache yet.
  }
  // Node 20 serves no import() from code compiled from a cache (nor without an experimental option): the bundle
  // require()s packages and imports a user's module with this function (src/cli/load-module.ts).
  globalThis[Symbol.for('cbbd.importModule')] = (url) => import(url);
  const script = new vm.Script(WRAPPER[0] + source + WRAPPER[1], { filename: file, cachedData });
  const taken = cachedData !== undefined && !script.cachedDataRejected;
  if (process.env.CBBD_CODE_CACHE_DEBUG === '1') {
    process.stderr.write(`code cache ${cacheFile ?? '(none for this command)'}: ${taken ? 'taken' : cachedData ? 'rejected' : 'absent'}\n`);
  }
  // Written when there is none for this bundle, or when V8 rejected it (a new Node), and only after a run that
  // succeeded: a mistyped command writes nothing.
  if (cacheFile && !taken) {
    process.once('exit', (code) => {
      if (code !== 0) return;
      try {
        // Two processes (two containers, both pid 1, sharing dist/) never write the same temporary file.
        const temporary = `${cacheFile}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
        writeFileSync(temporary, Buffer.concat([Buffer.from(made, 'latin1'), script.createCachedData()]));
        renameSync(temporary, cacheFile);
      } catch {
        // A read-only install (the container's image) runs without a cache it cannot write; it only starts slower.
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}
