/**
 * A project outside this repository, as a user has one: its asset module imports the orchestrator by the package's
 * name (`from 'cbbd-orchestrator'`, installed in its node_modules) and `cbbd` runs it. What it imports is the kernel
 * the command runs, not a second copy: a PermanentError it throws is the kernel's own (one attempt, no retries).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');

describe('a project of its own', () => {
  it('declares its assets with imports from the package by name, and cbbd materializes them', () => {
    const dir = tempDir('cbbd-user-project-');
    // As `npm install cbbd-orchestrator` leaves it: the package in the project's node_modules.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve('.'), join(dir, 'node_modules', 'cbbd-orchestrator'), 'dir');
    writeFileSync(join(dir, 'assets.ts'), [
      "import { defineAsset, PermanentError, type PartitionOutput } from 'cbbd-orchestrator';",
      '',
      'export const assets = [',
      "  defineAsset({ key: 'raw/greetings', partitions: { kind: 'season' }, codeVersion: '1' }, async (ctx): Promise<PartitionOutput[]> =>",
      '    ctx.partitions.map((partition) => {',
      "      if (partition === '2023') throw new PermanentError('no greetings in 2023');",
      "      return { partition, dataVersion: `hello-${partition}`, rowCount: 1, commit: async () => {} };",
      '    })),',
      '];',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'config.yaml'), [
      `assets: ${join(dir, 'assets.ts')}`,
      'seasons: { first: 2023, last: 2024 }',
      `lakehouse: { root: ${join(dir, 'lakehouse')} }`,
      `runLog: { path: ${join(dir, 'runlog.sqlite')} }`,
      `checkpoints: { path: ${join(dir, 'checkpoints.sqlite')} }`,
      'materialize: { concurrency: 1, retries: 2 }',
      '',
    ].join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
    delete env.CBBD_API_KEY;
    const ok = spawnSync(process.execPath, [BIN, 'materialize', 'raw/greetings', '--season', '2024'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(ok.status, ok.stderr).toBe(0);
    const failed = spawnSync(process.execPath, [BIN, 'materialize', 'raw/greetings', '--season', '2023'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(failed.status).toBe(1);
    expect(failed.stdout + failed.stderr).toContain('no greetings in 2023');
    const db = new Database(join(dir, 'runlog.sqlite'), { readonly: true });
    try {
      const rows = db.prepare("SELECT partition, status, attempt FROM materializations WHERE asset_key = 'raw/greetings' ORDER BY id").all();
      // The kernel knew its own PermanentError: 2023 was tried once, not three times.
      expect(rows).toEqual([{ partition: '2024', status: 'succeeded', attempt: 1 }, { partition: '2023', status: 'failed', attempt: 1 }]);
    } finally {
      db.close();
    }
  });
});
