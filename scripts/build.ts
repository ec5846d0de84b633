/**
 * The build step: src/ and assets/ compiled to JavaScript under dist/ (dist/src/..., dist/assets/...), file by file,
 * so `cbbd` starts without compiling TypeScript. Run by `npm run build`, by `npm ci` (the "prepare" script), and by
 * bin/cbbd.js when a source changed since the last build (only the changed files are compiled again).
 *
 * Each file is transformed with the esbuild options tsx uses at start-up, so the compiled code is the code tsx runs.
 * Code versions hash source text, never compiled text: a source a module hashes is shipped beside it
 * (SOURCES_READ_AS_DATA), and materializing compiled after tsx restales nothing. Relative `.ts` import specifiers
 * (static and `import('./x.ts')`) become `.js`. Plain JavaScript sources (worker entry files) are copied as they are,
 * and so are the sources a module reads as data (SOURCES_READ_AS_DATA), beside their compiled output.
 *
 * `cbbd` runs these files with Node's compile cache (bin/cbbd.js): on Node 24 that alone starts `status` in about
 * 0.2 s, so the one-file bundle and V8 code cache of the Node 20 days are gone. A few dependencies are still bundled
 * into one file each (VENDORED): loading hundreds of their small files costs more than compiling them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init as initLexer, parse as parseImports } from 'es-module-lexer';
import { build as esbuild, transform, version as esbuildVersion, type TransformOptions } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = join(ROOT, 'dist');
/** The compiled folders; bin/cbbd.js checks the same ones (and this script) for edits newer than the build. */
export const SOURCE_DIRS = ['src', 'assets'] as const;
/** Written last; its `startedAt` is what bin/cbbd.js compares source mtimes with. */
export const STAMP = join(DIST, '.build-stamp.json');
/**
 * Sources that a module reads as text at runtime, next to itself (`readFileSync(new URL('./solver.ts', import.meta.url))`,
 * the adjusted efficiencies' code version): shipped beside the compiled module so the text, and the hash, are the same.
 */
const SOURCES_READ_AS_DATA = ['assets/gold/solver.ts', 'assets/gold/season-walk.ts'];
/**
 * Dependencies bundled into one file each (dist/vendor/<name>.js, with what they depend on) and imported from there
 * by the compiled code: Node pays for every module file it loads, and most for CommonJS ones. kysely's 263 files cost
 * `cbbd status` more than all of its own modules (about 7 times less once bundled); yaml's 30 CommonJS files, pino's
 * 20 and commander's, graphology's and graphology-dag's cost it about 100 ms of its start together. Pure JavaScript
 * only (a native module cannot be bundled), and only packages whose state is not shared with another copy: pino-pretty,
 * required from node_modules on a terminal, does not import pino.
 */
export const VENDORED = ['kysely', 'zod', 'yaml', 'commander', 'pino', 'graphology', 'graphology-dag'] as const;
export const VENDOR_DIR = join(DIST, 'vendor');
export interface BuildResult {
  /** Files compiled or copied this time (the others were up to date). */
  readonly written: number;
  /** Outputs removed because their source is gone. */
  readonly removed: number;
  readonly files: number;
  readonly ms: number;
}

/** tsx's own transform options (tsx 4: `target: node<version>`, whitespace minified, names kept), plus the tsconfig. */
function transformOptions(sourcefile: string): TransformOptions {
  return {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    minifyWhitespace: true,
    keepNames: true,
    sourcemap: 'external',
    sourcefile,
    tsconfigRaw: TSCONFIG,
  };
}

const TSCONFIG = (() => {
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  return { compilerOptions } as TransformOptions['tsconfigRaw'];
})();

/**
 * `./x.ts` and `../y/z.ts` become `.js`; a vendored package becomes the relative path of its bundle from `output`;
 * other package specifiers stay.
 */
export function rewriteImportSpecifiers(code: string, output: string): string {
  const [imports] = parseImports(code);
  let out = '';
  let at = 0;
  for (const { n: name, s: start, e: end } of imports) {
    if (!name) continue;
    const text = code.slice(start, end);
    // A static import's span is the bare specifier; a dynamic import's span includes its quotes.
    const quoted = /^['"]/.test(text) ? 1 : 0;
    let replacement: string | undefined;
    if (/^\.\.?\//.test(name) && name.endsWith('.ts')) replacement = `${name.slice(0, -3)}.js`;
    else if ((VENDORED as readonly string[]).includes(name)) {
      const rel = relative(dirname(output), join(VENDOR_DIR, `${name}.js`)).split(sep).join('/');
      replacement = rel.startsWith('.') ? rel : `./${rel}`;
    }
    if (replacement === undefined || text.slice(quoted, text.length - quoted) !== name) continue;
    out += code.slice(at, start + quoted) + replacement;
    at = end - quoted;
  }
  return out + code.slice(at);
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * What a vendored bundle was built from: the package's version and those of the packages bundled with it, e.g.
 * `pino@10.4.0 sonic-boom@4.2.0 ...`; a bundle whose key changed is built again.
 */
function bundleKey(name: string, bundledWith: readonly string[]): string {
  return [name, ...bundledWith].map((p) => `${p}@${existsSync(join(ROOT, 'node_modules', p, 'package.json')) ? installedVersion(p) : 'gone'}`).join(' ');
}

/** The packages (other than `name`) whose files an esbuild metafile's inputs include. */
function packagesIn(inputs: readonly string[], name: string): string[] {
  const found = new Set<string>();
  for (const input of inputs) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && m[1] !== name) found.add(m[1]!);
  }
  return [...found].sort();
}

/**
 * The bundle's entry: the package's own ES module entry when it has one; for a CommonJS package, one named re-export
 * per export Node sees (`import { parse } from 'yaml'` keeps working), and its default (`module.exports`).
 */
async function vendorEntry(name: string): Promise<{ contents: string } | { file: string }> {
  const file = fileURLToPath(import.meta.resolve(name));
  const packageJson = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { type?: string };
  if (file.endsWith('.mjs') || (file.endsWith('.js') && packageJson.type === 'module')) return { file };
  const names = Object.keys((await import(name)) as object).filter((key) => key !== 'default' && /^[A-Za-z_$][\w$]*$/.test(key));
  return { contents: `export { ${names.join(', ')} } from '${name}';\nexport { default } from '${name}';\n` };
}

// A CommonJS module bundled into an ES module still calls require() for Node's built-in modules.
const REQUIRE_BANNER = "import { createRequire as __vendorRequire } from 'node:module'; const require = __vendorRequire(import.meta.url);";

/** Bundle each vendored package whose key (its version and its bundled dependencies') differs from the last build's. */
async function vendor(previous: Readonly<Record<string, string>>, all: boolean): Promise<{ versions: Record<string, string>; written: number }> {
  const versions: Record<string, string> = {};
  let written = 0;
  for (const name of VENDORED) {
    const outfile = join(VENDOR_DIR, `${name}.js`);
    const before = previous[name];
    const bundledWith = before ? before.split(' ').slice(1).map((p) => p.slice(0, p.lastIndexOf('@'))) : [];
    if (!all && before && bundleKey(name, bundledWith) === before && existsSync(outfile)) {
      versions[name] = before;
      continue;
    }
    const entry = await vendorEntry(name);
    const result = await esbuild({
      // The entry named .mjs: esbuild then imports CommonJS as Node does (`default` is module.exports).
      ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'js' as const, sourcefile: 'vendor-entry.mjs' } }),
      bundle: true, format: 'esm', platform: 'node', target: `node${process.versions.node}`, write: false, outfile,
      logLevel: 'error', metafile: true, banner: { js: REQUIRE_BANNER },
      // Another vendored package stays an import of its own bundle: one copy of each.
      external: VENDORED.filter((other) => other !== name),
    });
    const code = result.outputFiles[0]!.text;
    writeAtomically(outfile, rewriteImportSpecifiers(code, outfile));
    versions[name] = bundleKey(name, packagesIn(Object.keys(result.metafile.inputs), name));
    written++;
  }
  return { versions, written };
}

interface Job { readonly source: string; readonly output: string; readonly kind: 'compile' | 'copy' }

function jobsOf(): Job[] {
  const jobs: Job[] = [];
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const source = join(entry.parentPath, entry.name);
      const rel = relative(ROOT, source);
      if (entry.name.endsWith('.d.ts')) continue;
      if (entry.name.endsWith('.ts')) {
        jobs.push({ source, output: join(DIST, rel.replace(/\.ts$/, '.js')), kind: 'compile' });
        if (SOURCES_READ_AS_DATA.includes(rel.split(sep).join('/'))) jobs.push({ source, output: join(DIST, rel), kind: 'copy' });
      } else if (/\.(js|mjs|json|sql)$/.test(entry.name)) {
        jobs.push({ source, output: join(DIST, rel), kind: 'copy' });
      }
    }
  }
  return jobs;
}

function newerThanOutput(job: Job): boolean {
  if (!existsSync(job.output)) return true;
  return statSync(job.source).mtimeMs > statSync(job.output).mtimeMs;
}

/** Write through a temporary name and rename: a `cbbd` starting beside a build never imports half a file. */
function writeAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

async function runJob(job: Job): Promise<void> {
  const text = readFileSync(job.source, 'utf8');
  if (job.kind === 'copy') return writeAtomically(job.output, text);
  const sourcefile = relative(dirname(job.output), job.source).split(sep).join('/');
  const result = await transform(text, transformOptions(sourcefile));
  const mapName = `${job.output.slice(dirname(job.output).length + 1)}.map`;
  writeAtomically(`${job.output}.map`, result.map);
  writeAtomically(job.output, `${rewriteImportSpecifiers(result.code, job.output)}//# sourceMappingURL=${mapName}\n`);
}

/** Outputs under dist/ whose source was deleted or renamed: an import of a removed module must fail, not run old code. */
function removeOrphans(jobs: readonly Job[]): number {
  const expected = new Set(jobs.flatMap((j) => j.kind === 'compile' ? [j.output, `${j.output}.map`] : [j.output]));
  let removed = 0;
  for (const dir of SOURCE_DIRS) {
    const out = join(DIST, dir);
    if (!existsSync(out)) continue;
    for (const entry of readdirSync(out, { withFileTypes: true, recursive: true })) {
      const path = join(entry.parentPath, entry.name);
      if (entry.isFile() && !expected.has(path) && !path.endsWith('.tmp')) {
        rmSync(path);
        removed++;
      }
    }
  }
  return removed;
}

/** Compile what changed since the last build (`all`: everything) and stamp the build. */
export async function build(options: { all?: boolean } = {}): Promise<BuildResult> {
  const started = Date.now();
  await initLexer;
  const last = existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')) as { vendored?: Record<string, string>; builder?: string } : {};
  const previous = last.vendored ?? {};
  // A changed build script (this file) may compile differently: everything is compiled again.
  const builder = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 16);
  const all = (options.all ?? false) || last.builder !== builder;
  const vendored = await vendor(previous, all);
  const jobs = jobsOf();
  // A package added to or removed from VENDORED changes the import specifiers of every file that imports it.
  const vendoredListChanged = Object.keys(previous).sort().join() !== [...VENDORED].sort().join();
  const todo = all || vendoredListChanged ? jobs : jobs.filter(newerThanOutput);
  await Promise.all(todo.map(runJob));
  const removed = removeOrphans(jobs);
  const stamp = { startedAt: started, node: process.versions.node, esbuild: esbuildVersion, builder, vendored: vendored.versions };
  writeAtomically(STAMP, `${JSON.stringify(stamp, null, 2)}\n`);
  return { written: todo.length + vendored.written, removed, files: jobs.length + VENDORED.length, ms: Date.now() - started };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const all = process.argv.includes('--all');
  if (all) rmSync(DIST, { recursive: true, force: true });
  const result = await build({ all });
  process.stdout.write(`build: ${result.written} of ${result.files} file(s) compiled or copied to dist/, ${result.removed} removed, in ${result.ms} ms\n`);
}
