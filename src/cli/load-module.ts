/**
 * Importing a module the user names in config (the assets module), compiled or not. The rule:
 * - running from the TypeScript sources (tsx), the module is imported as named;
 * - running bundled (dist/cbbd.cjs, what `cbbd` runs), a module of this package's src/ or assets/ is the copy inside
 *   the bundle (`./assets/index.ts`), even where the sources are not shipped (the container);
 * - running compiled file by file (dist/src/...), it is imported from its compiled counterpart
 *   (`./assets/index.ts` -> `dist/assets/index.js`);
 * - any other `.ts` module (a user's own, a test fixture) loads through tsx, registered only then, and its imports of
 *   this package's sources are redirected to the modules the CLI already runs (`source-redirect-hooks.ts`): one copy
 *   of the kernel, so `instanceof CbbdError` and the module-level state hold across the boundary. Running bundled,
 *   a JavaScript module's imports of the compiled files (`dist/src/core/asset.js`) are redirected the same way.
 */
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as TsxApi from 'tsx/esm/api';
import { packageRoot } from '../core/package-root.ts';

const COMPILED_FOLDERS = ['src', 'assets'];
/** This module's own file says whether the CLI runs compiled: `dist/src/cli/load-module.js` (also in the bundle). */
const runningCompiled = import.meta.url.endsWith('.js');

/** A bundled module, by its path in the package (`src/core/asset.ts`): evaluated on first load, as `import()` does. */
export type BundledModules = Readonly<Record<string, () => Promise<unknown>>>;

/**
 * Where the facade modules of `source-redirect-hooks.ts` find the bundle's modules: a global, because the hooks'
 * modules are evaluated by Node's loader, outside the bundle.
 */
const BUNDLED_MODULES = Symbol.for('cbbd.bundledModules');

/**
 * The launcher's `import()` (bin/code-cache.js), which the bundle uses for a module by URL (a user's): Node 20 serves
 * no `import()` of code compiled from V8's code cache, so the bundle has none of its own.
 */
const IMPORT_MODULE = Symbol.for('cbbd.importModule');

let bundled: BundledModules | undefined;

/** `import(specifier)` (a URL, or a package from the launcher's folder), through the launcher's when there is one. */
function importModule(specifier: string): Promise<unknown> {
  const host = (globalThis as Record<symbol, unknown>)[IMPORT_MODULE] as ((specifier: string) => Promise<unknown>) | undefined;
  return host ? host(specifier) : import(specifier);
}

/** Called by the bundle's entry (scripts/build.ts) before the CLI starts: every module of src/ and assets/. */
export function provideBundledModules(modules: BundledModules): void {
  bundled = modules;
  (globalThis as Record<symbol, unknown>)[BUNDLED_MODULES] = modules;
}

/** `path`'s place in the package (`assets/index.ts`) when it is one of the package's own TypeScript modules. */
function packageModule(path: string): string | undefined {
  const rel = relative(fileURLToPath(packageRoot(import.meta.url)), path);
  if (rel.startsWith('..') || !COMPILED_FOLDERS.includes(rel.split(sep)[0] ?? '') || !/\.[cm]?ts$/.test(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** The compiled module standing for `path` (a file of the package's src/ or assets/), when running compiled. */
export function compiledCounterpart(path: string): string | undefined {
  if (!runningCompiled) return undefined;
  const rel = packageModule(path);
  if (rel === undefined) return undefined;
  const compiled = fileURLToPath(new URL(`dist/${rel.replace(/\.([cm]?)ts$/, '.$1js')}`, packageRoot(import.meta.url)));
  return existsSync(compiled) ? compiled : undefined;
}

/** The bundle's loader of `path`, when running bundled and `path` is one of the package's modules. */
function bundledModule(path: string): (() => Promise<unknown>) | undefined {
  if (!bundled) return undefined;
  const rel = packageModule(path);
  return rel === undefined ? undefined : bundled[rel];
}

/** Whether `path` names a module that can be imported: it exists, or stands for a bundled or compiled one. */
export function moduleExists(path: string): boolean {
  return existsSync(path) || bundledModule(path) !== undefined || compiledCounterpart(path) !== undefined;
}

let typeScriptLoader: Promise<void> | undefined;
let redirecting = false;

/** The hook sending imports of the package's own modules to those the CLI runs (`source-redirect-hooks.ts`). */
function redirectPackageModules(): void {
  if (redirecting) return;
  redirecting = true;
  const root = packageRoot(import.meta.url);
  const dist = new URL('dist/', root);
  registerHooks(new URL('./source-redirect-hooks.js', import.meta.url), {
    data: {
      root: root.href, dist: dist.href, folders: COMPILED_FOLDERS,
      // Running bundled, the package's modules are the bundle's: facades named by the build's export list.
      ...(bundled && { bundleExports: new URL('bundle-exports.json', dist).href }),
    },
  });
}

/** tsx, then the redirecting hook, which so runs first and sees what tsx resolved. */
function loadTypeScript(): Promise<void> {
  typeScriptLoader ??= (async () => {
    // tsx's CommonJS entry (what the bundle's own import would require) cannot register its loader.
    const { register } = await importModule('tsx/esm/api') as typeof TsxApi;
    register();
    redirectPackageModules();
  })();
  return typeScriptLoader;
}

/** Import the module at `path` by the rule above. */
export async function importUserModule(path: string): Promise<unknown> {
  const inBundle = bundledModule(path);
  if (inBundle) return inBundle();
  const compiled = compiledCounterpart(path);
  if (compiled) return importModule(pathToFileURL(compiled).href);
  if (runningCompiled && /\.[cm]?ts$/.test(path)) await loadTypeScript();
  // A JavaScript module importing the compiled files (dist/src/...) reaches the bundle's modules too.
  else if (bundled) redirectPackageModules();
  return importModule(pathToFileURL(path).href);
}
