import * as cbbd from 'cbbd';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CbbdClient } from '../../src/cbbd/client.ts';
import { ENDPOINTS } from '../../src/cbbd/endpoints.ts';
import { createSimApp } from '../../src/sim/app.ts';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';

let sim: RunningSim;
let client: CbbdClient;
beforeAll(async () => {
  sim = await startSimulator({ seed: 3, scale: 'demo', now: () => new Date('2024-05-01T00:00:00Z') });
  client = new CbbdClient({ baseUrl: sim.url, apiKey: 'catalog-test-key', requestsPerSecond: 500, maxInFlight: 4, timeoutMs: 60_000, retries: 0 });
});
afterAll(() => sim.close());

describe('the endpoint catalog', () => {
  it('covers every endpoint function of the cbbd package', () => {
    const functions = Object.keys(cbbd).filter((k) => k.startsWith('get')).sort();
    expect(Object.keys(ENDPOINTS).sort()).toEqual(functions);
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

/** The API's published spec, read where it is (beside the project), never copied into it. */
const SPEC = resolve('../shared/cbbd-openapi.json');
if (!existsSync(SPEC)) console.warn(`\n!!! the catalog's required parameters NOT checked against the published spec: ${SPEC} is missing.\n`);

describe('the simulator accepts what the real API accepts', () => {
  // Early in a season, so that the current season (what the game endpoints answer without one) has few finals.
  const { app, world } = createSimApp({ seed: 5, scale: 'demo', now: () => new Date('2023-11-20T12:00:00Z') });
  const auth = { headers: { Authorization: 'Bearer any-key' } };
  const game = world.gamesAsOf(2024).find((g) => g.status === 'final')!;
  const values: Record<string, string> = {
    season: '2024', team: game.homeTeam, date: game.startDate.slice(0, 10), tournament: 'National Tournament',
    playerId: String(world.roster(game.homeTeamId, 2024)[0]!.id), gameId: String(game.id),
  };
  const requestOf = (info: (typeof ENDPOINTS)[keyof typeof ENDPOINTS], extra: Record<string, string> = {}) => {
    const path = info.path.replace(/\{(\w+)\}/, (_m, p: string) => values[p]!);
    const query = new URLSearchParams({ ...Object.fromEntries(info.required.filter((p) => !info.path.includes(`{${p}}`)).map((p) => [p, values[p]!])), ...extra });
    return `${path}${query.size ? `?${query}` : ''}`;
  };

  it.each(Object.entries(ENDPOINTS))('%s: answers 200 with only the required parameters, and ignores an unknown one', async (_name, info) => {
    const plain = await app.request(requestOf(info), auth);
    expect(plain.status, requestOf(info)).toBe(200);
    const body = await plain.text();
    expect(Array.isArray(JSON.parse(body))).toBe(true);
    // A parameter the API does not know changes nothing (the real API answered /draft/picks?season=2026 with 200).
    const extra = await app.request(requestOf(info, { notAParameter: 'x' }), auth);
    expect(extra.status).toBe(200);
    expect(await extra.text()).toBe(body);
  });

  it.each(Object.entries(ENDPOINTS).filter(([, info]) => info.required.some((p) => !info.path.includes(`{${p}}`))))(
    '%s: answers 400 without a required query parameter', async (_name, info) => {
      const required = info.required.filter((p) => !info.path.includes(`{${p}}`));
      const withoutFirst = { ...info, required: info.required.filter((p) => p !== required[0]) };
      const response = await app.request(requestOf(withoutFirst), auth);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(new RegExp(required[0]!));
    });

  it('the requests the original pipeline made of the real API: a season where the API takes a year', async () => {
    for (const path of ['/draft/picks?season=2026', '/recruiting/players?season=2026']) {
      expect((await app.request(path, auth)).status, path).toBe(200);
    }
  });

  it.skipIf(!existsSync(SPEC))('requires exactly the parameters the published spec requires, where the spec has the endpoint', () => {
    const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as { paths: Record<string, { get?: { parameters?: { name: string; required?: boolean }[] } }> };
    const differences = Object.entries(ENDPOINTS).flatMap(([name, info]) => {
      const op = spec.paths[info.path]?.get;
      if (!op) return [];
      const required = (op.parameters ?? []).filter((p) => p.required).map((p) => p.name).sort();
      return JSON.stringify(required) === JSON.stringify([...info.required].sort()) ? [] : [`${name}: spec ${required.join(',')}, catalog ${info.required.join(',')}`];
    });
    expect(differences).toEqual([]);
  });
});
