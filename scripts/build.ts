/**
 * The build step: src/ and assets/ compiled to JavaScript under dist/ (dist/src/..., dist/assets/...), file by file,
 * so `cbbd` starts without compiling TypeScript. Run by `npm run build`, by `npm ci` (the "prepare" script), and by
 * bin/cbbd.js when a source changed since the last build (only the changed files are compiled again).
 *
 * Each file is transformed with the esbuild options tsx uses at start-up, so the compiled code is the code tsx runs.
 * Code versions hash source text, never compiled text (the bundle below renames local variables): a source a module
 * hashes is shipped beside it (SOURCES_READ_AS_DATA), and materializing compiled after tsx restales nothing.
 * Relative `.ts` import specifiers (static and `import('./x.ts')`) become `.js`. Plain JavaScript sources (worker entry files) are copied as they are, and so are the sources a module
 * reads as data (SOURCES_READ_AS_DATA), beside their compiled output.
 *
 * The `cbbd` command runs none of those files directly but one bundle of them all, dist/cbbd.cjs (bundleCli): Node
 * 20 keeps no compiled code between runs of an ES module, while a CommonJS script can be compiled from a V8 code
 * cache (bin/code-cache.js), and one file spares Node the resolving and loading of a hundred. The file-by-file output
 * stays for what the bundle cannot do: source-mapped stack traces (`--enable-source-maps`), the worker file, the
 * module hooks.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init as initLexer, parse as parseImports } from 'es-module-lexer';
import { build as esbuild, transform, version as esbuildVersion, type PluginBuild, type TransformOptions } from 'esbuild';

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
/** The whole CLI, with the package's assets, in one CommonJS script (bundleCli). */
export const BUNDLE = join(DIST, 'cbbd.cjs');
/** Each bundled module's export names, for the facades a user's own module imports (source-redirect-hooks.ts). */
export const BUNDLE_EXPORTS = join(DIST, 'bundle-exports.json');
/**
 * Packages the bundle loads from node_modules rather than contains: native modules, the heavy SDKs loaded only by the
 * commands that use them, and what loads files by name (piscina's workers, tsx's loader, pino-pretty).
 */
const BUNDLE_EXTERNAL = ['better-sqlite3', '@duckdb/*', '@aws-sdk/*', 'piscina', 'tsx', 'tsx/*', 'pino-pretty', 'esbuild'];
/** Modules run for their effect, not for what they export: no user module may import them from the bundle. */
const NOT_IMPORTABLE = ['src/cli/main.ts', 'src/cli/source-redirect-hooks.ts'];

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

/**
 * dist/cbbd.cjs: the CLI and every module of src/ and assets/, each evaluated when first imported, as before. Each
 * module's `import.meta.url` becomes the URL of its file-by-file output, so what it reads beside itself (the solver's
 * source, ui/, the worker file) is found as it is found unbundled. The entry hands load-module.ts the modules by their
 * place in the package, then runs the CLI.
 */
async function bundleCli(jobs: readonly Job[]): Promise<void> {
  const modules = jobs.filter((j) => j.kind === 'compile').map((j) => relative(ROOT, j.source).split(sep).join('/'))
    .filter((rel) => !NOT_IMPORTABLE.includes(rel)).sort();
  const entry = [
    "import { provideBundledModules } from './src/cli/load-module.ts';",
    `provideBundledModules({\n${modules.map((m) => `  ${JSON.stringify(m)}: () => import(${JSON.stringify(`./${m}`)}),`).join('\n')}\n});`,
    "void import('./src/cli/main.ts');",
  ].join('\n');
  const moduleUrls = {
    name: 'module-urls',
    setup(b: PluginBuild) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const rel = relative(ROOT, args.path).split(sep).join('/');
        if (!SOURCE_DIRS.some((dir) => rel.startsWith(`${dir}/`))) return undefined;
        const contents = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `__cbbdModuleUrl(${JSON.stringify(rel.replace(/\.ts$/, '.js'))})`);
        return { contents, loader: 'ts' };
      });
    },
  };
  const result = await esbuild({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts', sourcefile: 'cbbd-entry.ts' },
    bundle: true, format: 'cjs', platform: 'node', target: `node${process.versions.node}`, write: false, outfile: BUNDLE,
    // Compiled as tsx compiles: whitespace minified, names kept (error classes and log lines read them).
    minifyWhitespace: true, keepNames: true, legalComments: 'none', logLevel: 'error',
    // Node 20 serves no import() of code compiled from a code cache: a package is require()d (each external one can
    // be), a user's module imported through the launcher (load-module.ts).
    supported: { 'dynamic-import': false }, tsconfigRaw: TSCONFIG, plugins: [moduleUrls], external: BUNDLE_EXTERNAL,
    // Strict as the ES modules it is made of: esbuild's own "use strict" would come after this line, and not count.
    banner: { js: "'use strict';\nconst __cbbdModuleUrl = (file) => require('node:url').pathToFileURL(require('node:path').join(__dirname, file)).href;" },
  });
  // Export names by module: a build of each module as its own entry says what it exports (with `export *` resolved).
  const names = await esbuild({
    entryPoints: modules.map((m) => join(ROOT, m)), bundle: true, splitting: true, format: 'esm', platform: 'node',
    outdir: join(DIST, '.exports'), write: false, metafile: true, packages: 'external', logLevel: 'error', tsconfigRaw: TSCONFIG, absWorkingDir: ROOT,
  });
  const exports: Record<string, string[]> = {};
  for (const output of Object.values(names.metafile.outputs)) if (output.entryPoint) exports[output.entryPoint] = output.exports;
  writeAtomically(BUNDLE_EXPORTS, `${JSON.stringify(exports)}\n`);
  // The first line names the bundle by its content: the code cache made from it says which bundle it was made from.
  const text = result.outputFiles[0]!.text;
  writeAtomically(BUNDLE, `// cbbd bundle ${createHash('sha256').update(text).digest('hex').slice(0, 16)}\n${text}`);
}

/** Compile what changed since the last build (`all`: everything) and stamp the build. */
export async function build(options: { all?: boolean } = {}): Promise<BuildResult> {
  const started = Date.now();
  await initLexer;
  const last = existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')) as { vendored?: Record<string, string>; builder?: string; lock?: string } : {};
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
  // The bundle also holds packages that are not vendored (hono, croner, cbbd...): a changed lock file rebuilds it.
  const lock = createHash('sha256').update(readFileSync(join(ROOT, 'package-lock.json'))).digest('hex').slice(0, 16);
  const bundled = todo.length > 0 || removed > 0 || vendored.written > 0 || last.lock !== lock || !existsSync(BUNDLE) || !existsSync(BUNDLE_EXPORTS);
  if (bundled) {
    // Removed first: a bundling that fails (a package not installed yet) leaves none, and the next build makes it.
    rmSync(BUNDLE, { force: true });
    await bundleCli(jobs);
  }
  const stamp = { startedAt: started, node: process.versions.node, esbuild: esbuildVersion, builder, lock, vendored: vendored.versions };
  writeAtomically(STAMP, `${JSON.stringify(stamp, null, 2)}\n`);
  return { written: todo.length + vendored.written + (bundled ? 1 : 0), removed, files: jobs.length + VENDORED.length + 1, ms: Date.now() - started };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const all = process.argv.includes('--all');
  if (all) rmSync(DIST, { recursive: true, force: true });
  const result = await build({ all });
  process.stdout.write(`build: ${result.written} of ${result.files} file(s) compiled or copied to dist/, ${result.removed} removed, in ${result.ms} ms\n`);
}
