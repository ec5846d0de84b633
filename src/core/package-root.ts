/**
 * The package's own folder (the one holding package.json), found from any of its modules. Files that ship beside the
 * code (ui/, the compiled dist/) are located from here, so a path is right whether the module runs from its
 * TypeScript source (`src/x/y.ts`) or compiled (`dist/src/x/y.js`, one folder deeper).
 */
import { existsSync } from 'node:fs';

/** `moduleUrl` is the caller's `import.meta.url`; the answer is a folder URL ending in `/`. */
export function packageRoot(moduleUrl: string | URL): URL {
  let folder = new URL('./', moduleUrl);
  for (;;) {
    if (existsSync(new URL('package.json', folder))) return folder;
    const parent = new URL('../', folder);
    if (parent.href === folder.href) throw new Error(`No package.json above ${String(moduleUrl)}: the package's files (package.json, ui/) must ship beside its code.`);
    folder = parent;
  }
}
