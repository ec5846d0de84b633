/**
 * Importing a module the user names in config (the assets module), compiled or not. The rule:
 * - running from the TypeScript sources (tsx), the module is imported as named;
 * - running compiled (dist/src/..., what `cbbd` runs), a module of this package's src/ or assets/ is imported from its
 *   compiled counterpart (`./assets/index.ts` -> `dist/assets/index.js`), even where the sources are not shipped (the
 *   container);
 * - any other `.ts` module (a user's own, a test fixture) loads through tsx, registered only then, and its imports of
 *   this package's sources are redirected to the compiled modules the CLI already runs (`source-redirect-hooks.ts`):
 *   one copy of the kernel, so `instanceof CbbdError` and the module-level state hold across the boundary.
 */
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../core/package-root.ts';

const COMPILED_FOLDERS = ['src', 'assets'];
/** This module's own file says whether the CLI runs compiled: `dist/src/cli/load-module.js`. */
const runningCompiled = import.meta.url.endsWith('.js');

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

/** Whether `path` names a module that can be imported: it exists, or stands for a compiled one. */
export function moduleExists(path: string): boolean {
  return existsSync(path) || compiledCounterpart(path) !== undefined;
}

let typeScriptLoader: Promise<void> | undefined;

/**
 * tsx, then the hook sending imports of the package's own modules to the compiled ones the CLI runs
 * (`source-redirect-hooks.ts`), registered after tsx so that it runs first and sees what tsx resolved.
 */
function loadTypeScript(): Promise<void> {
  typeScriptLoader ??= (async () => {
    const { register } = await import('tsx/esm/api');
    register();
    const root = packageRoot(import.meta.url);
    registerHooks(new URL('./source-redirect-hooks.js', import.meta.url), {
      data: { root: root.href, dist: new URL('dist/', root).href, folders: COMPILED_FOLDERS },
    });
  })();
  return typeScriptLoader;
}

/** Import the module at `path` by the rule above. */
export async function importUserModule(path: string): Promise<unknown> {
  const compiled = compiledCounterpart(path);
  if (compiled) return import(pathToFileURL(compiled).href);
  if (runningCompiled && /\.[cm]?ts$/.test(path)) await loadTypeScript();
  return import(pathToFileURL(path).href);
}
