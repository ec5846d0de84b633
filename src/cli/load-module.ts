/**
 * Importing the module the user names in config (the assets module). A module of this package's src/ or assets/ is
 * imported from its compiled counterpart (`./assets/index.ts` -> `dist/assets/index.js`) when the CLI runs compiled,
 * even where the sources are not shipped (the container); any other `.ts` module loads through tsx, registered only
 * then. Such a module imports the package by its name (`from 'cbbd-orchestrator'`), which package.json's `exports`
 * resolve to the compiled modules the CLI runs: one copy of the kernel, so `instanceof PermanentError` holds.
 */
import { existsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../core/package-root.ts';

/** This module's own file says whether the CLI runs compiled: `dist/src/cli/load-module.js`. */
const runningCompiled = import.meta.url.endsWith('.js');

/** The compiled module standing for `path` (a file of the package's src/ or assets/), when running compiled. */
export function compiledCounterpart(path: string): string | undefined {
  const rel = relative(fileURLToPath(packageRoot(import.meta.url)), path).split(sep).join('/');
  if (!runningCompiled || !/^(src|assets)\/.*\.[cm]?ts$/.test(rel)) return undefined;
  const compiled = fileURLToPath(new URL(`dist/${rel.replace(/\.([cm]?)ts$/, '.$1js')}`, packageRoot(import.meta.url)));
  return existsSync(compiled) ? compiled : undefined;
}

/** Whether `path` names a module that can be imported: it exists, or stands for a compiled one. */
export function moduleExists(path: string): boolean {
  return existsSync(path) || compiledCounterpart(path) !== undefined;
}

// Registered once: the project module and its extensions are two imports of one file.
let typeScriptLoader: Promise<unknown> | undefined;

/** Import the module at `path` by the rule above. */
export async function importUserModule(path: string): Promise<unknown> {
  const compiled = compiledCounterpart(path);
  if (compiled) return import(pathToFileURL(compiled).href);
  if (runningCompiled && /\.[cm]?ts$/.test(path)) await (typeScriptLoader ??= import('tsx/esm/api').then(({ register }) => register()));
  return import(pathToFileURL(path).href);
}
