/**
 * The build step: src/ and assets/ compiled file by file to JavaScript under dist/, with the esbuild options tsx uses
 * (so the compiled code is the code tsx runs) and relative `.ts` specifiers made `.js`. Run by `npm run build`, by
 * `npm ci` ("prepare") and by bin/cbbd.js when a source changed (then only what changed). Plain JavaScript (worker
 * entries) is copied, and so are the sources a module hashes as data, beside their compiled output: code versions hash
 * source text, so running compiled after tsx restales nothing. `cbbd` runs these files with Node's compile cache; only
 * a few dependencies are still bundled, one file each (VENDORED), because loading their many small files costs more.
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
const SOURCE_DIRS = ['src', 'assets'] as const;
/** Written last; its `startedAt` is what bin/cbbd.js compares source mtimes with. */
const STAMP = join(DIST, '.build-stamp.json');
/**
 * Sources that a module reads as text at runtime, next to itself (`readFileSync(new URL('./solver.ts', import.meta.url))`,
 * the adjusted efficiencies' code version): shipped beside the compiled module so the text, and the hash, are the same.
 */
const SOURCES_READ_AS_DATA = ['assets/gold/solver.ts', 'assets/gold/season-walk.ts'];
/**
 * Bundled into dist/vendor/<name>.js each, with what they depend on: kysely's 263 files cost `cbbd status` more than
 * all of its own modules, and yaml's, pino's, commander's and graphology's CommonJS files about 100 ms together. Pure
 * JavaScript only, and only packages whose state no other copy shares (pino-pretty, loaded on a terminal, has no pino).
 */
const VENDORED = ['kysely', 'zod', 'yaml', 'commander', 'pino', 'graphology', 'graphology-dag'] as const;
const VENDOR_DIR = join(DIST, 'vendor');
/** Files compiled or copied this time (`written`), outputs removed because their source is gone, of `files`. */
export interface BuildResult { readonly written: number; readonly removed: number; readonly files: number; readonly ms: number }

/** tsx's own transform options (tsx 4: `target: node<version>`, whitespace minified, names kept), plus the tsconfig. */
const TRANSFORM: TransformOptions = {
  loader: 'ts', format: 'esm', target: `node${process.versions.node}`, minifyWhitespace: true, keepNames: true, sourcemap: 'external',
  tsconfigRaw: { compilerOptions: (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: object }).compilerOptions },
};

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

/** Bundle each vendored package (`all`: again, even where its bundle is there). */
async function vendor(all: boolean): Promise<number> {
  let written = 0;
  for (const name of VENDORED) {
    const outfile = join(VENDOR_DIR, `${name}.js`);
    if (!all && existsSync(outfile)) continue;
    const entry = await vendorEntry(name);
    const result = await esbuild({
      // The entry named .mjs: esbuild then imports CommonJS as Node does (`default` is module.exports).
      ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'js' as const, sourcefile: 'vendor-entry.mjs' } }),
      bundle: true, format: 'esm', platform: 'node', target: `node${process.versions.node}`, write: false, outfile,
      logLevel: 'error', banner: { js: REQUIRE_BANNER },
      // Another vendored package stays an import of its own bundle: one copy of each.
      external: VENDORED.filter((other) => other !== name),
    });
    writeAtomically(outfile, rewriteImportSpecifiers(result.outputFiles[0]!.text, outfile));
    written++;
  }
  return written;
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

/** Changed since the last build started (as bin/cbbd.js checks), not since its output: an edit mid-build counts. */
function changedSince(startedAt: number): (job: Job) => boolean {
  return (job) => !existsSync(job.output) || statSync(job.source).mtimeMs > startedAt;
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
  const result = await transform(text, { ...TRANSFORM, sourcefile });
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

/**
 * What, changed, makes every file compile again: this script, the tsconfig it passes on, the installed packages (npm
 * rewrites node_modules/.package-lock.json on every install: the vendored bundles' versions) and Node's version.
 */
function builderHash(): string {
  const hash = createHash('sha256').update(process.versions.node);
  for (const file of [fileURLToPath(import.meta.url), join(ROOT, 'tsconfig.json'), join(ROOT, 'node_modules/.package-lock.json')]) {
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Compile what changed since the last build (`all`: everything) and stamp the build. */
export async function build(options: { all?: boolean } = {}): Promise<BuildResult> {
  const started = Date.now();
  await initLexer;
  const builder = builderHash();
  const last = existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')) as { builder?: string; startedAt?: number } : {};
  const all = (options.all ?? false) || last.builder !== builder;
  const vendored = await vendor(all);
  const jobs = jobsOf();
  const todo = all ? jobs : jobs.filter(changedSince(last.startedAt ?? 0));
  await Promise.all(todo.map(runJob));
  const removed = removeOrphans(jobs);
  writeAtomically(STAMP, `${JSON.stringify({ startedAt: started, node: process.versions.node, esbuild: esbuildVersion, builder }, null, 2)}\n`);
  return { written: todo.length + vendored, removed, files: jobs.length + VENDORED.length, ms: Date.now() - started };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const all = process.argv.includes('--all');
  if (all) rmSync(DIST, { recursive: true, force: true });
  const result = await build({ all });
  process.stdout.write(`build: ${result.written} of ${result.files} file(s) compiled or copied to dist/, ${result.removed} removed, in ${result.ms} ms\n`);
}
