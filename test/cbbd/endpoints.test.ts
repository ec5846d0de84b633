import * as cbbd from 'cbbd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssets } from '../../assets/index.ts';
import { CbbdClient } from '../../src/cbbd/client.ts';
import { ENDPOINTS } from '../../src/cbbd/endpoints.ts';
import { cbbdSource } from '../../src/cbbd/source.ts';
import { startSimulator, type RunningSim } from '../../src/cbbd/sim/serve.ts';
import { noCheckpoints } from '../../src/core/checkpoints.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir, window } from '../helpers.ts';

let sim: RunningSim;
let client: CbbdClient;
beforeAll(async () => {
  sim = await startSimulator({ seed: 3, scale: 'demo', now: () => new Date('2024-05-01T00:00:00Z') });
  client = new CbbdClient({ baseUrl: sim.url, apiKey: 'catalog-test-key', requestsPerSecond: 500, maxInFlight: 4, timeoutMs: 10_000, retries: 0 });
});
afterAll(() => sim.close());

describe('the endpoint catalog', () => {
  it('covers every endpoint function of the cbbd package', () => {
    const functions = Object.keys(cbbd).filter((k) => k.startsWith('get')).sort();
    expect(Object.keys(ENDPOINTS).sort()).toEqual(functions);
  });

  it('names only raw assets that exist, and every raw asset has an endpoint', () => {
    const resources = { source: cbbdSource({ apiKey: undefined, baseUrl: sim.url, baseUrlOverridden: false, requestsPerSecond: 1, maxInFlight: 1, timeoutMs: 1, retries: 0, simulator: { seed: 1, scale: 'demo', gameCap: 3000 } }, silentLogger()),
      storage: localStorage(tempDir()), window, gameCap: 3_000, now: () => new Date(), rollingDays: 3, checkpoints: noCheckpoints };
    const raw = createAssets(resources).map((a) => a.key).filter((k) => k.startsWith('raw/'));
    const fed = new Set(Object.values(ENDPOINTS).flatMap((e) => e.assets));
    expect([...fed].filter((k) => !raw.includes(k))).toEqual([]);
    expect(raw.filter((k) => !fed.has(k))).toEqual([]);
    for (const e of Object.values(ENDPOINTS)) if (!e.assets.length) expect(e.note, e.path).toBeTruthy();
  });

  it('every catalogued endpoint answers in the simulator, with its required parameters under their real names', async () => {
    const season = 2024;
    const team = (await client.call(cbbd.getTeams, { query: { season } })).data.find((t) => t.conferenceId !== null)!.school;
    const game = (await client.call(cbbd.getGames, { query: { season, team } })).data.find((g) => g.status === 'final')!;
    const playerId = (await client.call(cbbd.getTeamRoster, { query: { season, team } })).data[0]!.players[0]!.id;
    const values: Record<string, unknown> = { season, team, date: game.startDate.slice(0, 10), tournament: 'NCAA', playerId, gameId: game.id };
    for (const [name, info] of Object.entries(ENDPOINTS)) {
      const path = Object.fromEntries(info.required.filter((p) => info.path.includes(`{${p}}`)).map((p) => [p, values[p]]));
      // The season is asked for by its real name: `year` for recruiting and the draft.
      const scope = info.kind === 'year' ? { year: season } : info.kind === 'season' || info.kind === 'date_range' ? { season } : {};
      const query = { ...scope, ...Object.fromEntries(info.required.filter((p) => !info.path.includes(`{${p}}`)).map((p) => [p, values[p]])) };
      const fn = cbbd[name as keyof typeof ENDPOINTS] as unknown as Parameters<CbbdClient['call']>[0];
      const response = await client.call(fn, { path, query });
      expect(response.request.path, name).toBe(info.path.replace(/\{(\w+)\}/, (_m, p: string) => String(values[p])));
      expect(Array.isArray(response.data), name).toBe(true);
    }
  });
});
