/**
 * `cbbd gaps [--season N] [--check [--limit N]]`: final games missing plays, substitutions or lineups in the
 * lakehouse, and whether the API has them, from what the raw layer already knows (no call by default):
 *  - "API has none": the API was asked for that game (or its team's season) and its answer had nothing for it;
 *  - "unknown": nobody asked yet (the day or the season was fetched before the game was final, or a night's budget
 *    deferred it). `--check` asks the API once per such game (per-game endpoints, at most --limit calls), writing
 *    nothing: `cbbd materialize` fetches them into the lakehouse.
 * A command of the project, not of the orchestrator: it knows this project's raw and silver assets and the CBBD
 * endpoints; `extensions.ts` adds it to `cbbd`.
 */
import { getLineupStatsByGame, getPlays, getSubstitutionsByGame, type GameInfo } from 'cbbd';
import { UsageError } from '../../src/core/errors.ts';
import { seasonOfKey } from '../../src/core/partitions.ts';
import { parsePartitionFilter } from '../../src/core/selection.ts';
import { readManifest, readRecords, type RawManifest } from '../../src/authoring/raw/store.ts';
import { partitionPrefix, tableLayout } from '../../src/lake/table-layout.ts';
import { TableWriter } from '../../src/authoring/table-writer.ts';
import type { ProjectCommandContext } from '../extensions.ts';

export interface GapsOptions {
  season?: string;
  check?: boolean;
  limit?: string;
  json?: boolean;
}

type Kind = 'plays' | 'substitutions' | 'lineups';
type Known = 'API has none' | 'unknown' | 'API has them' | 'API has none (checked)';

interface Gap {
  season: number;
  gameId: number;
  date: string;
  game: string;
  kind: Kind;
  api: Known;
  why: string;
}

export async function gapsCommand(ctx: ProjectCommandContext, options: GapsOptions): Promise<number> {
  const filter = parsePartitionFilter(options.season !== undefined ? { season: options.season } : {}, ctx.window);
  const limit = Number(options.limit ?? 25);
  if (!/^\d+$/.test(options.limit ?? '25') || limit < 1 || limit > 1000) throw new UsageError(`--limit ${options.limit} is not a whole number from 1 to 1000 (API calls --check may make).`);
  const built = ctx.runLog.loadPartitionRecords(['raw/games']).get('raw/games') ?? new Map();
  const seasons = [...built].filter(([, r]) => r.status === 'succeeded').map(([p]) => seasonOfKey(p)!)
    .filter((s) => filter.seasonFrom === undefined || s === filter.seasonFrom).sort((a, b) => b - a);
  if (!seasons.length) {
    process.stdout.write(`No season of raw/games is built${filter.seasonFrom !== undefined ? ` for ${filter.seasonFrom}` : ''}: \`cbbd materialize '+silver/fct_plays' --season N\` builds the games and their plays first.\n`);
    return 0;
  }
  const gaps: Gap[] = [];
  const finals = new Map<number, number>();
  const reader = await TableWriter.open(ctx.storage);
  try {
    for (const season of seasons) gaps.push(...await seasonGaps(ctx, reader, season, finals));
  } finally {
    await reader.close();
  }
  if (options.check) await checkWithApi(ctx, gaps.filter((g) => g.api === 'unknown').slice(0, limit));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ seasons: seasons.map((s) => ({ season: s, finalGames: finals.get(s) ?? 0 })), gaps }, null, 2)}\n`);
    return 0;
  }
  const count = (s: number, k: Kind, api?: Known) => gaps.filter((g) => g.season === s && g.kind === k && (api === undefined || g.api === api)).length;
  process.stdout.write(`${ctx.formatTable(
    ['season', 'final games', 'no plays', 'no substitutions', 'no lineups', 'API has none', 'unknown'],
    seasons.map((s) => [s, finals.get(s) ?? 0, count(s, 'plays'), count(s, 'substitutions'), count(s, 'lineups'),
      gaps.filter((g) => g.season === s && g.api.startsWith('API has none')).length, gaps.filter((g) => g.season === s && g.api === 'unknown').length]),
  )}\n`);
  const listed = gaps.slice(0, 30);
  if (listed.length) {
    process.stdout.write(`\n${ctx.formatTable(['season', 'date', 'game', 'missing', 'API', 'why'], listed.map((g) => [g.season, g.date, `${g.gameId} ${g.game}`, g.kind, g.api, g.why]))}\n`);
    if (gaps.length > listed.length) process.stdout.write(`... and ${gaps.length - listed.length} more (cbbd gaps --json lists them all)\n`);
  }
  if (!options.check && gaps.some((g) => g.api === 'unknown')) {
    process.stdout.write('\n"unknown": the API was not asked for these games yet. `cbbd gaps --check` asks it (one call per game, --limit), `cbbd materialize` fetches them.\n');
  }
  return 0;
}

async function seasonGaps(ctx: ProjectCommandContext, reader: TableWriter, season: number, finals: Map<number, number>): Promise<Gap[]> {
  const games = (await readRecords<GameInfo>(ctx.storage, partitionPrefix('raw/games', String(season)))).filter((g) => g.status === 'final');
  finals.set(season, games.length);
  const inSilver = async (table: string): Promise<Set<number> | undefined> => {
    if (!ctx.graph.has(table)) return undefined;
    const files = (await ctx.storage.list(`${partitionPrefix(table, String(season))}/`)).filter((k) => k.endsWith('.parquet'));
    if (!files.length) return undefined;
    const rows = await reader.read('SELECT DISTINCT gameId::BIGINT AS id FROM t', { t: { files, layout: tableLayout(ctx.graph.get(table)) } });
    return new Set(rows.map((r) => Number(r.id)));
  };
  const plays = await inSilver('silver/fct_plays');
  const subs = await inSilver('silver/fct_substitutions');
  const dayManifests = new Map<string, RawManifest>();
  for (const key of (await ctx.storage.list(`raw/plays/season=${season}/`)).filter((k) => k.endsWith('/_partition.json'))) {
    const prefix = key.slice(0, -'/_partition.json'.length);
    const manifest = await readManifest(ctx.storage, prefix);
    if (manifest) dayManifests.set(prefix.slice(prefix.lastIndexOf('date=') + 5), manifest);
  }
  const noPlays = new Set([...dayManifests.values()].flatMap((m) => (m.noPlays as number[] | undefined) ?? []));
  const perGame = async (asset: string) => {
    const manifest = await readManifest(ctx.storage, partitionPrefix(asset, String(season)));
    const covered = new Set((manifest?.coveredGames as number[] | undefined) ?? []);
    // A per-game answer with no record: the API has none for that game.
    const empty = new Set((manifest?.parts ?? []).filter((p) => p.records === 0 && /\/game\/\d+$/.test(p.path)).map((p) => Number(p.path.slice(p.path.lastIndexOf('/') + 1))));
    return { manifest, covered, empty };
  };
  const subsRaw = await perGame('raw/substitutions');
  const lineupsRaw = await perGame('raw/lineups');
  const gaps: Gap[] = [];
  for (const g of games) {
    const date = g.startDate.slice(0, 10);
    const base = { season, gameId: g.id, date, game: `${g.awayTeam} at ${g.homeTeam}` };
    if (plays && !plays.has(g.id)) {
      const day = dayManifests.get(date);
      gaps.push({
        ...base, kind: 'plays', ...(noPlays.has(g.id) ? { api: 'API has none' as const, why: 'asked per game: no plays' }
          : { api: 'unknown' as const, why: day ? 'not in the day\'s answer, not asked per game yet' : 'game day not fetched yet' }),
      });
    }
    if (subs && !subs.has(g.id)) {
      gaps.push({
        ...base, kind: 'substitutions', ...(subsRaw.covered.has(g.id) ? { api: 'API has none' as const, why: subsRaw.empty.has(g.id) ? 'asked per game: empty answer' : 'not in its teams\' season answers' }
          : { api: 'unknown' as const, why: subsRaw.manifest ? 'final since the last fetch (or deferred)' : 'season not fetched yet' }),
      });
    }
    // Lineups are stored as season totals per team, so a game counts as present once it was covered by an answer.
    if (lineupsRaw.empty.has(g.id)) gaps.push({ ...base, kind: 'lineups', api: 'API has none', why: 'asked per game: empty answer' });
    else if (!lineupsRaw.covered.has(g.id)) gaps.push({ ...base, kind: 'lineups', api: 'unknown', why: lineupsRaw.manifest ? 'final since the last fetch (or deferred)' : 'season not fetched yet' });
  }
  return gaps;
}

/** Ask the API about each unknown gap with its per-game endpoint; nothing is written, the calls go to the ledger. */
async function checkWithApi(ctx: ProjectCommandContext, gaps: Gap[]): Promise<void> {
  if (!gaps.length) return;
  const source = ctx.debuggingSource();
  try {
    const client = await source.client();
    for (const gap of gaps) {
      const path = { path: { gameId: gap.gameId } };
      const response = gap.kind === 'plays' ? await client.call(getPlays, path)
        : gap.kind === 'substitutions' ? await client.call(getSubstitutionsByGame, path) : await client.call(getLineupStatsByGame, path);
      const records = Array.isArray(response.data) ? response.data.length : 0;
      gap.api = records ? 'API has them' : 'API has none (checked)';
      gap.why = records ? `${records} record(s) now: cbbd materialize fetches them` : 'asked just now: empty answer';
    }
  } finally {
    await source.close();
  }
}
