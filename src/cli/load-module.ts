/**
 * Importing a module the user names in config (the assets module), compiled or not. The rule:
 * - running from the TypeScript sources (tsx), the module is imported as named;
 * - running compiled (dist/), a module of this package's src/ or assets/ is imported from its compiled counterpart
 *   (`./assets/index.ts` -> `dist/assets/index.js`), even where the sources are not shipped (the container);
 * - any other `.ts` module (a user's own, a test fixture) loads through tsx, registered only then, and its imports of
 *   this package's sources are redirected to the compiled modules the CLI already runs: one copy of the kernel, so
 *   `instanceof CbbdError` and the module-level state hold across the boundary.
 */
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../core/package-root.ts';

const COMPILED_FOLDERS = ['src', 'assets'];
/** This module's own file says whether the CLI runs compiled: `dist/src/cli/load-module.js`. */
const runningCompiled = import.meta.url.endsWith('.js');

/** The compiled module standing for `path` (a file of the package's src/ or assets/), when running compiled. */
export function compiledCounterpart(path: string): string | undefined {
  if (!runningCompiled) return undefined;
  const root = fileURLToPath(packageRoot(import.meta.url));
  const rel = relative(root, path);
  if (rel.startsWith('..') || !COMPILED_FOLDERS.includes(rel.split(sep)[0] ?? '') || !/\.[cm]?ts$/.test(rel)) return undefined;
  const compiled = `${root}dist${sep}${rel.replace(/\.([cm]?)ts$/, '.$1js')}`;
  return existsSync(compiled) ? compiled : undefined;
}

/** Whether `path` names a module that can be imported: it exists, or stands for a compiled one. */
export function moduleExists(path: string): boolean {
  return existsSync(path) || compiledCounterpart(path) !== undefined;
}

let typeScriptLoader: Promise<void> | undefined;

/** tsx, and the hook sending the package's own sources to their compiled modules (`source-redirect-hooks.ts`). */
function loadTypeScript(): Promise<void> {
  typeScriptLoader ??= (async () => {
    const { register } = await import('tsx/esm/api');
    register();
    // Registered after tsx, so it runs first and sees what tsx resolved.
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
