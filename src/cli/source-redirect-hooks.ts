/**
 * Module hooks registered (by `load-module.ts`) only when the compiled CLI loads a user's TypeScript module through
 * tsx: an import of this package's own sources (`../../src/core/asset.ts`) resolves to the module the CLI already
 * runs, so there is one copy of the kernel in the process, not two:
 * - running bundled (dist/cbbd.cjs), to a facade whose exports are the bundle's module's (the build lists each
 *   module's export names in dist/bundle-exports.json);
 * - running compiled file by file, to the compiled module (`dist/src/core/asset.js`).
 * Running bundled, a JavaScript module's import of a compiled file (`dist/src/core/asset.js`) gets the facade too.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { InitializeHook, LoadHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';

interface RedirectData { root: string; dist: string; folders: string[]; bundleExports?: string }

/** What a facade's URL ends with; the module's place in the package follows. */
const FACADE = 'cbbd-bundled:';

let data: RedirectData | undefined;
let bundleExports: Record<string, string[]> | undefined;

export const initialize: InitializeHook<RedirectData> = (options) => {
  data = options;
};

/** Whether the bundle has the package's module `rel` (`src/core/asset.ts`): only when running bundled. */
function inBundle(rel: string): boolean {
  if (!data?.bundleExports) return false;
  bundleExports ??= JSON.parse(readFileSync(fileURLToPath(data.bundleExports), 'utf8')) as Record<string, string[]>;
  return bundleExports[rel] !== undefined;
}

const facade = (rel: string) => ({ url: `${FACADE}${rel}`, format: 'module' as const, shortCircuit: true });

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (specifier.startsWith(FACADE)) return { url: specifier, shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
  if (!data) return resolved;
  // A compiled file of the package (`dist/src/core/asset.js`), imported by a JavaScript module, running bundled.
  if (resolved.url.startsWith(data.dist) && /\.[cm]?js$/.test(resolved.url)) {
    const rel = resolved.url.slice(data.dist.length).replace(/\.([cm]?)js$/, '.$1ts');
    return inBundle(rel) ? facade(rel) : resolved;
  }
  if (!resolved.url.startsWith(data.root) || !/\.[cm]?ts$/.test(resolved.url)) return resolved;
  const rel = resolved.url.slice(data.root.length);
  if (!data.folders.includes(rel.split('/')[0] ?? '')) return resolved;
  if (inBundle(rel)) return facade(rel);
  const compiled = `${data.dist}${rel.replace(/\.([cm]?)ts$/, '.$1js')}`;
  return existsSync(fileURLToPath(compiled)) ? { url: compiled, format: 'module', shortCircuit: true } : resolved;
};

/** A facade: the bundle's module, loaded (evaluated on first use) and re-exported name by name. */
export const load: LoadHook = async (url, context, nextLoad) => {
  if (!url.startsWith(FACADE)) return nextLoad(url, context);
  const rel = url.slice(FACADE.length);
  const names = bundleExports?.[rel] ?? [];
  const named = names.filter((n) => n !== 'default');
  const source = [
    `const module = await globalThis[Symbol.for('cbbd.bundledModules')][${JSON.stringify(rel)}]();`,
    ...named.map((n, i) => `const e${i} = module[${JSON.stringify(n)}];`),
    named.length ? `export { ${named.map((n, i) => `e${i} as ${n}`).join(', ')} };` : '',
    names.includes('default') ? 'export default module.default;' : '',
  ].join('\n');
  return { format: 'module', source, shortCircuit: true };
};
