#!/usr/bin/env node
// The `cbbd` command. It runs the JavaScript compiled into dist/ (scripts/build.ts, run by `npm ci`) with Node's compile
// cache, so a command starts without compiling TypeScript and, from its second run on, without compiling JavaScript
// either (Node keeps the cache in the OS temp folder, keyed by each file's content). In a checkout, a source edited
// after the last build is compiled again first (only what changed, well under a second), so an edit never runs stale;
// where the build cannot run (no dev dependencies), the sources run through tsx, with a one-line notice.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

module.enableCompileCache?.();
const root = new URL('../', import.meta.url);
const compiledMain = new URL('dist/src/cli/main.js', root);
// What the build reads: scripts/build.ts's SOURCE_DIRS, the script, the tsconfig it passes on, and the lock file (the
// versions of the dependencies it bundles into dist/vendor/).
const BUILD_INPUTS = ['src', 'assets', 'scripts/build.ts', 'tsconfig.json', 'package-lock.json'];

/** Why dist/ cannot be run as it is, or undefined when it is up to date with every source beside it. */
function staleReason() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(new URL('dist/.build-stamp.json', root), 'utf8'));
  } catch {
    return 'there is no build yet';
  }
  for (const input of BUILD_INPUTS) {
    const path = new URL(input, root);
    if (!existsSync(path)) continue;
    // Folders count too: adding, removing or renaming a file changes its folder's mtime.
    const paths = [fileURLToPath(path)];
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) paths.push(`${entry.parentPath}/${entry.name}`);
    }
    for (const p of paths) if (statSync(p).mtimeMs > stamp.startedAt) return `${p.slice(fileURLToPath(root).length)} changed since the last build`;
  }
  return undefined;
}

// Shipped without its sources (the container, a production install), dist/ is all there is.
const hasSources = existsSync(new URL('src/cli/main.ts', root));
let main = compiledMain;
if (hasSources) {
  const reason = staleReason();
  if (reason) {
    try {
      const { register } = await import('tsx/esm/api');
      const unregister = register();
      const { build } = await import('../scripts/build.ts');
      await build();
      // The CLI itself runs as plain JavaScript, not through tsx.
      await unregister();
    } catch (error) {
      const { register } = await import('tsx/esm/api');
      register();
      main = new URL('src/cli/main.ts', root);
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      process.stderr.write(`cbbd: running the sources through tsx (${reason}, and the build failed: ${why}); \`npm run build\` makes start-up fast again.\n`);
    }
  }
} else if (!existsSync(compiledMain)) {
  process.stderr.write('cbbd: neither dist/ nor src/ is here: run `npm run build` in a checkout, or reinstall the package.\n');
  process.exit(2);
}
// Stack traces, through this package's compiled files and a user's TypeScript module alike, point into the TypeScript.
process.setSourceMapsEnabled(true);
await import(main.href);
