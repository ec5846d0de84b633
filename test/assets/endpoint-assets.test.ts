/** The project's map from endpoints to raw assets names only assets that exist, and feeds every raw asset. */
import { describe, expect, it } from 'vitest';
import { createAssets } from '../../assets/index.ts';
import { ENDPOINT_ASSETS } from '../../assets/raw/endpoint-assets.ts';
import { ENDPOINTS } from '../../src/cbbd/endpoints.ts';
import type { CbbdSource } from '../../src/cbbd/source.ts';
import { noCheckpoints } from '../../src/core/checkpoints.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir, window } from '../helpers.ts';

describe('endpoint assets', () => {
  it('names only raw assets that exist, every raw asset has an endpoint, and an endpoint the pipeline skips says why', () => {
    const resources = { source: {} as CbbdSource, storage: localStorage(tempDir()), window, gameCap: 3_000, now: () => new Date(), rollingDays: 3, checkpoints: noCheckpoints };
    const raw = createAssets(resources).map((a) => a.key).filter((k) => k.startsWith('raw/'));
    const fed = new Set(Object.values(ENDPOINT_ASSETS).flatMap((e) => e.assets));
    expect([...fed].filter((k) => !raw.includes(k))).toEqual([]);
    expect(raw.filter((k) => !fed.has(k))).toEqual([]);
    for (const [fn, e] of Object.entries(ENDPOINT_ASSETS)) if (!e.assets.length) expect(e.note, fn).toBeTruthy();
    expect(Object.keys(ENDPOINT_ASSETS).sort()).toEqual(Object.keys(ENDPOINTS).sort());
  });
});
