/**
 * Hostile asset keys and partition values (`..`, `/`, `%2e`, NUL, backslashes, absolute paths) never reach a path
 * outside the lakehouse or an S3 key that climbs: every storage entry point refuses them or keeps them inside. A
 * property over random mixes of the dangerous pieces with ordinary names, through the public entry points: the
 * table layout's partition prefix and the local driver's put, get, list and partition swap (the S3 driver checks each
 * key with the same `assertSafeKey` before any request).
 */
import fc from 'fast-check';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partitionPrefix } from '../../src/lake/table-layout.ts';
import { assertSafeKey } from '../../src/lake/storage/storage.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir } from '../helpers.ts';

const HOSTILE = ['..', '/', '%2e', '%2e%2e', '%2f', '\0', '\\', '.', '~', ' ', '\n', 'C:', '//', '/..', '../', '%00', '\u2025'];
const NAME = fc.stringMatching(/^[a-z0-9_]{1,8}$/);
const piece = fc.oneof(NAME, fc.constantFrom(...HOSTILE), fc.constantFrom('season=2024', 'date=2024-01-15', '2024|2024-01-15', '2024'));
const hostile = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('hostile keys and partition values at the storage boundary', () => {
  it('assertSafeKey lets through no key that climbs, hides an encoded dot or slash, or carries NUL', () => {
    fc.assert(fc.property(hostile, (key) => {
      let safe: string;
      try {
        safe = assertSafeKey(key);
      } catch {
        return; // refused: the driver makes no request and touches no file
      }
      expect(safe.split('/')).not.toContain('..');
      expect(safe.startsWith('/')).toBe(false);
      expect(safe).not.toMatch(/[%\0\\\s]/);
    }), { numRuns: 2_000 });
  });

  it('the local driver refuses or stays inside the lakehouse for any asset and partition', async () => {
    const outside = tempDir('cbbd-paths-');
    const root = join(outside, 'lakehouse');
    const storage = localStorage(root);
    await fc.assert(fc.asyncProperty(hostile, hostile, async (asset, partition) => {
      let prefix: string;
      try {
        prefix = partitionPrefix(`raw/${asset}`, partition);
      } catch {
        return;
      }
      const attempts = [
        () => storage.put(`${prefix}/part-0.json.gz`, 'x'),
        () => storage.replacePartition(prefix, [{ name: 'part-0.json.gz', body: 'x' }]),
        () => storage.get(`${prefix}/part-0.json.gz`),
        () => storage.list(`${prefix}/`),
      ];
      for (const attempt of attempts) await attempt().catch(() => undefined);
    }), { numRuns: 300 });
    // Nothing was written beside the lakehouse, and nothing inside it resolves outside.
    expect(readdirSync(outside)).toEqual(existsSync(root) ? ['lakehouse'] : []);
    for (const file of filesUnder(root)) {
      expect(resolve(root, file).startsWith(resolve(root) + sep)).toBe(true);
      expect(file).not.toMatch(/%|\0|\\/);
    }
  });
});
