/**
 * The per-team endpoints' backfill is priced at the source's own number of Division I teams: the demo world's 32, not
 * the real API's 362 (which made the first `npm start` report its estimate off by +1031%).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { divisionOneTeamsOf } from '../../src/sim/scales.ts';
import { SimWorld } from '../../src/sim/world.ts';
import { tempDir } from '../helpers.ts';

describe('the simulated worlds\' Division I teams', () => {
  it('are known before the world is made where every seed has the same number', () => {
    for (const seed of [1, 2024]) {
      const world = new SimWorld({ seed, scale: 'demo', now: () => new Date('2026-03-01T00:00:00Z') });
      expect(world.teams.filter((t) => t.division === 1)).toHaveLength(divisionOneTeamsOf('demo')!);
    }
    expect(divisionOneTeamsOf('demo')).toBe(32);
    expect(divisionOneTeamsOf('full')).toBeUndefined();
  });

  it('price a demo season\'s per-team backfill at 32 calls an endpoint', () => {
    const dir = tempDir('cbbd-scale-');
    writeFileSync(join(dir, 'config.yaml'), `assets: ${resolve('assets/index.ts')}\nlakehouse: { root: ${join(dir, 'lake')} }\nrunLog: { path: ${join(dir, 'runlog.sqlite')} }\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
    delete env.CBBD_API_KEY;
    const r = spawnSync(process.execPath, [resolve('bin/cbbd.js'), 'plan', 'raw/lineups,raw/substitutions', '--season', '2026'], { env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^raw\/lineups\s+1\s+1\s+missing 1\s+32$/m);
    expect(r.stdout).toMatch(/^raw\/substitutions\s+1\s+1\s+missing 1\s+32$/m);
  });
});
