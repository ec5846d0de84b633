#!/usr/bin/env node
// The `cbbd` command. It runs the JavaScript compiled into dist/ (scripts/build.ts, run by `npm ci`) with Node's compile
// cache, so a command starts without compiling TypeScript and, from its second run on, without compiling JavaScript
// either (the cache is keyed by each file's content). In a checkout, sources edited after the last build are compiled
// again first (well under a second), so an edit never runs stale; if that build fails, the sources run through tsx.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

module.enableCompileCache?.();
const root = fileURLToPath(new URL('../', import.meta.url));
// What the build reads: its SOURCE_DIRS, the script itself, the tsconfig it passes on, the lock file it vendors from.
const BUILD_INPUTS = ['src', 'assets', 'scripts/build.ts', 'tsconfig.json', 'package-lock.json'];

/** Why dist/ cannot be run as it is, or undefined when it is up to date with every source beside it. */
function staleReason() {
  let startedAt;
  try {
    ({ startedAt } = JSON.parse(readFileSync(`${root}dist/.build-stamp.json`, 'utf8')));
  } catch {
    return 'there is no build yet';
  }
  for (const input of BUILD_INPUTS.filter((p) => existsSync(root + p))) {
    // Folders count too: adding, removing or renaming a file changes its folder's mtime.
    const paths = [root + input];
    if (statSync(root + input).isDirectory()) {
      for (const entry of readdirSync(root + input, { withFileTypes: true, recursive: true })) paths.push(`${entry.parentPath}/${entry.name}`);
    }
    for (const p of paths) if (statSync(p).mtimeMs > startedAt) return `${p.slice(root.length)} changed since the last build`;
  }
  return undefined;
}

let main = `${root}dist/src/cli/main.js`;
// Shipped without its sources (the container, a production install), dist/ is all there is.
const reason = existsSync(`${root}src/cli/main.ts`) ? staleReason() : undefined;
if (reason) {
  const { register } = await import('tsx/esm/api');
  const unregister = register();
  try {
    await (await import('../scripts/build.ts')).build();
    // The CLI itself runs as plain JavaScript, not through tsx.
    await unregister();
  } catch (error) {
    main = `${root}src/cli/main.ts`;
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`cbbd: running the sources through tsx (${reason}, and the build failed: ${why}); \`npm run build\` makes start-up fast again.\n`);
  }
} else if (!existsSync(main)) {
  process.stderr.write('cbbd: neither dist/ nor src/ is here: run `npm run build` in a checkout, or reinstall the package.\n');
  process.exit(2);
}
// Stack traces, through this package's compiled files and a user's TypeScript module alike, point into the TypeScript.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(main).href);
