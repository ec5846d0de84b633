/**
 * Module hooks registered (by `load-module.ts`) only when the compiled CLI loads a user's TypeScript module through
 * tsx: an import of this package's own sources (`../../src/core/asset.ts`) resolves to the compiled module the CLI
 * already runs (`dist/src/core/asset.js`), so there is one copy of the kernel in the process, not two.
 */
import { existsSync } from 'node:fs';
import type { InitializeHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';

interface RedirectData { root: string; dist: string; folders: string[] }

let data: RedirectData | undefined;

export const initialize: InitializeHook<RedirectData> = (options) => {
  data = options;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (!data || !resolved.url.startsWith(data.root) || !/\.[cm]?ts$/.test(resolved.url)) return resolved;
  const rel = resolved.url.slice(data.root.length);
  if (!data.folders.includes(rel.split('/')[0] ?? '')) return resolved;
  const compiled = `${data.dist}${rel.replace(/\.([cm]?)ts$/, '.$1js')}`;
  return existsSync(fileURLToPath(compiled)) ? { url: compiled, format: 'module', shortCircuit: true } : resolved;
};
