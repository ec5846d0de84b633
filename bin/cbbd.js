#!/usr/bin/env node
// The `cbbd` command: the JavaScript compiled into dist/ (scripts/build.ts, run by `npm ci`), from Node's compile cache
// (keyed by each file's content) from its second run on. In a checkout, sources edited after the last build are
// compiled again first (well under a second), so an edit never runs stale; if that build fails, tsx runs the sources.
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

module.enableCompileCache?.();
const root = fileURLToPath(new URL('../', import.meta.url));
// What the build reads: its SOURCE_DIRS, the script itself, the tsconfig it passes on, the packages it vendors.
const BUILD_INPUTS = ['src', 'assets', 'scripts/build.ts', 'tsconfig.json', 'node_modules/.package-lock.json'];

/** Why dist/ cannot be run as it is, or undefined when it is up to date with every source beside it. */
function staleReason() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(`${root}dist/.build-stamp.json`, 'utf8'));
  } catch {
    return 'there is no build yet';
  }
  if (stamp.node !== process.versions.node) return `it was built by Node ${stamp.node}`;
  for (const input of BUILD_INPUTS.filter((p) => existsSync(root + p))) {
    // Folders count too: adding, removing or renaming a file changes its folder's mtime.
    const paths = [root + input];
    if (statSync(root + input).isDirectory()) {
      for (const entry of readdirSync(root + input, { withFileTypes: true, recursive: true })) paths.push(`${entry.parentPath}/${entry.name}`);
    }
    // lstat: an editor's lock file is a symlink to nowhere.
    for (const p of paths) if ((lstatSync(p, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) > stamp.startedAt) return `${p.slice(root.length)} changed since the last build`;
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
    // A module importing the package by its name gets these sources too, not the compiled copy the build left stale.
    const sources = new Map([['cbbd-orchestrator', 'src/index.ts'], ['cbbd-orchestrator/assets', 'assets/index.ts']]);
    module.registerHooks({ resolve: (name, context, next) => (sources.has(name) ? { url: pathToFileURL(root + sources.get(name)).href, shortCircuit: true } : next(name, context)) });
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
