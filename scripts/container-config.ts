/**
 * The container image's config.yaml: the project's own config.yaml (its schedules, seasons, source and gold
 * settings, comments and all) with every path made absolute, since a config's relative paths resolve against its
 * folder and the image keeps code and data apart: the assets module under the app folder (/app, where it resolves to
 * the compiled dist/assets/index.js), the lakehouse, run log and checkpoints under the data folder (/data, a volume).
 *
 *   node --import tsx scripts/container-config.ts <config.yaml> <out.yaml> [--app /app] [--data /data]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

export function containerConfig(source: string, folders: { app: string; data: string }): string {
  const doc = parseDocument(source);
  const assets = String(doc.get('assets') ?? './assets/index.ts');
  doc.set('assets', posix.isAbsolute(assets) ? assets : posix.join(folders.app, assets));
  doc.setIn(['lakehouse', 'root'], posix.join(folders.data, 'lakehouse'));
  doc.setIn(['runLog', 'path'], posix.join(folders.data, '.cbbd/runlog.sqlite'));
  doc.setIn(['checkpoints', 'path'], posix.join(folders.data, '.cbbd/checkpoints.sqlite'));
  return `# Made from the project's config.yaml by scripts/container-config.ts: paths absolute, data under ${folders.data}.\n` +
    '# Replace it with a mount and CBBD_CONFIG=/path/to/config.yaml.\n' + doc.toString();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [input, output] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const option = (name: string, fallback: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? process.argv[at + 1]! : fallback;
  };
  if (!input || !output) {
    process.stderr.write('usage: scripts/container-config.ts <config.yaml> <out.yaml> [--app /app] [--data /data]\n');
    process.exit(2);
  }
  writeFileSync(output, containerConfig(readFileSync(input, 'utf8'), { app: option('app', '/app'), data: option('data', '/data') }));
}
