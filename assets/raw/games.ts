/**
 * The date-range endpoints (GET /games, /games/teams, /games/players, /lines, /games/media) for a season, fetched in date windows split
 * at the API's result cap, so no game is lost silently. raw/games also provides the season's calendar: the game
 * days of every game-day partitioned asset, and the schedule the other four size their windows from: as few windows
 * as their cap allows (3 for the 3,000-game endpoints, 7 for the player box scores at full scale, 19 calls a season in
 * all, against 41 for fixed 30- and 14-day windows).
 */
import type { GameInfo } from 'cbbd';
import { getBroadcasts, getGamePlayers, getGames, getGameTeams, getLines } from '../../src/cbbd/sdk.ts';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import { dateWindows, fetchCapped, rangeParams, scheduleWindows, type DateWindow, type WindowResult } from '../../src/cbbd/game-windows.ts';
import { dayToIsoDate, isoDateOf, isoDateToDay, seasonDates } from '../../src/core/partitions.ts';
import type { ProjectResources } from '../resources.ts';
import { INCREMENTAL } from '../../src/authoring/raw/incremental.ts';
import { rawPartitionOutput } from '../../src/authoring/raw/partition.ts';
import { recordTypeOf } from './record-types.ts';
import { expectedGamesBetween, refreshesIncrementally } from './call-estimates.ts';
import { rawInputRecords } from '../../src/authoring/inputs.ts';
import { readManifest, readStoredResponse } from '../../src/authoring/raw/store.ts';
import { partitionPrefix } from '../../src/lake/table-layout.ts';

interface WindowedEndpoint {
  readonly key: string;
  readonly description: string;
  /**
   * How the range is cut before the first call: `season` at the turns of a season's shape (raw/games, which has no
   * schedule yet to go by), `schedule` packed from raw/games's games up to SCHEDULE_FILL of the cap.
   */
  readonly windows: 'season' | 'schedule';
  /** Days a window spans in conference play, the busiest weeks: what a nightly refresh is priced by. */
  readonly windowDays: number;
  readonly cap: (resources: ProjectResources) => number;
  readonly fetch: (client: Awaited<ReturnType<ProjectResources['source']['client']>>, season: number, window: DateWindow) => Promise<SourceResponse<unknown[]>>;
  /** Games in a response, when a record is not a game (box scores: one record per team and game). */
  readonly gamesIn?: (records: readonly unknown[]) => number;
  /** The season's game days, for the asset that is the calendar. */
  readonly calendar?: (records: readonly unknown[]) => string[];
}

function windowedSeasonAsset(resources: ProjectResources, endpoint: WindowedEndpoint): AssetDefinition {
  const seasonRange = (season: number) => {
    const dates = seasonDates(season, resources.window);
    const today = isoDateOf(resources.now());
    return { from: dates[0]!, to: dates.at(-1)! < today ? dates.at(-1)! : today };
  };
  const bySchedule = endpoint.windows === 'schedule';
  return defineAsset(
    {
      key: endpoint.key,
      description: endpoint.description,
      // The schedule sizes the windows; a changed schedule does not make the box scores stale by itself.
      ...(bySchedule && { deps: [{ key: 'raw/games', affectsStaleness: false }] }),
      partitions: { kind: 'season' },
      codeVersion: '1',
      volatile: { maxAgeHours: 6 },
      expectedCalls: (partitions, context) => partitions.reduce((n, s) => {
        const { from, to } = seasonRange(Number(s));
        if (to < from) return n;
        // A refresh keeps the windows that ended before the rolling window and asks again from the end of the last
        // one: on average half a window before the rolling window starts, or the last fetch if it was earlier.
        if (refreshesIncrementally(context, s)) {
          const cutoff = isoDateToDay(isoDateOf(resources.now()))! - resources.rollingDays;
          const lastFetch = isoDateToDay(isoDateOf(new Date(context.lastSuccessAt(s)!)))!;
          const start = dayToIsoDate(Math.max(isoDateToDay(from)!, Math.min(lastFetch, cutoff - Math.floor(endpoint.windowDays / 2))));
          return n + dateWindows(start, to, endpoint.windowDays).length;
        }
        // A backfill: the windows the season's games fill, by the usual games a month.
        return n + (bySchedule
          ? Math.max(1, Math.ceil(expectedGamesBetween(from, to) / Math.floor(endpoint.cap(resources) * SCHEDULE_FILL)))
          : seasonShapeWindows(Number(s), from, to).length);
      }, 0),
    },
    async (ctx) => {
      const client = await resources.source.client();
      return Promise.all(ctx.partitions.map(async (seasonKey) => {
        const season = Number(seasonKey);
        const prefix = partitionPrefix(endpoint.key, seasonKey);
        const { from, to } = seasonRange(season);
        const incremental = INCREMENTAL.has(ctx.reasons.get(seasonKey) ?? 'missing');
        const kept = incremental ? await settledWindows(resources, prefix) : [];
        const refetchFrom = kept.length ? dayToIsoDate(isoDateToDay(kept.at(-1)!.window.to)! + 1) : from;
        const cap = endpoint.cap(resources);
        const planned = refetchFrom > to ? []
          : bySchedule
            ? scheduleWindows(refetchFrom, to, (await rawInputRecords<GameInfo>(resources.storage, ctx, 'raw/games', seasonKey)).map((g) => g.startDate), Math.floor(cap * SCHEDULE_FILL))
            : seasonShapeWindows(season, refetchFrom, to);
        const fetched = await fetchCapped<unknown>(planned, cap, (w) => endpoint.fetch(client, season, w), endpoint.gamesIn);
        const windows = [...kept, ...fetched];
        const calendar = endpoint.calendar?.(windows.flatMap((w) => w.response.data));
        return rawPartitionOutput(resources, recordTypeOf(endpoint.key), seasonKey, prefix, windows.map((w) => w.response), {
          apiCalls: fetched.length, ...(calendar && { calendar }),
        }, { windows: windows.map((w) => ({ ...w.window, complete: w.complete, records: w.response.data.length })) });
      }));
    },
  );
}

/**
 * The share of the cap a schedule-sized window is filled to: the schedule was read minutes before, but a game added
 * since (or a box score the schedule lists under another day) must not push a window to the cap and cost a split.
 */
const SCHEDULE_FILL = 0.9;

/**
 * raw/games's windows, before any schedule is known: the season cut on January 1 and February 15. At full scale
 * November and December hold about 2,500 games, January 1 to February 14 about 2,200, the rest about 1,200 (the
 * simulator's calibrated seasons, like real ones): each under the cap of 3,000, so 3 calls instead of 7 fixed months;
 * a window that reaches the cap anyway is split by fetchCapped.
 */
function seasonShapeWindows(season: number, from: string, to: string): DateWindow[] {
  const turns = [`${season}-01-01`, `${season}-02-15`].filter((d) => d > from && d <= to);
  const starts = [from, ...turns];
  return starts.map((start, i) => ({ from: start, to: i + 1 < starts.length ? dayToIsoDate(isoDateToDay(starts[i + 1]!)! - 1) : to }));
}

/**
 * The stored windows that can no longer change: complete ones that ended before the rolling window (the API keeps
 * correcting recent games for a few days). They are kept exactly as fetched; only the rest of the season is asked
 * again, so a nightly refresh costs one or two calls per endpoint instead of the whole season.
 */
async function settledWindows(resources: ProjectResources, prefix: string): Promise<WindowResult<unknown>[]> {
  const manifest = await readManifest(resources.storage, prefix);
  const stored = manifest?.windows as { from: string; to: string; complete: boolean }[] | undefined;
  if (!manifest || !stored || stored.length !== manifest.parts.length) return [];
  const cutoff = dayToIsoDate(isoDateToDay(isoDateOf(resources.now()))! - resources.rollingDays);
  const kept: WindowResult<unknown>[] = [];
  for (const [i, w] of stored.entries()) {
    if (!w.complete || w.to >= cutoff) break;
    kept.push({ window: { from: w.from, to: w.to }, complete: true, response: await readStoredResponse(resources.storage, prefix, manifest.parts[i]!) });
  }
  return kept;
}

function distinctGames(records: readonly unknown[]): number {
  return new Set((records as { gameId: number }[]).map((r) => r.gameId)).size;
}

export function gameAssets(resources: ProjectResources): AssetDefinition[] {
  return [
    windowedSeasonAsset(resources, {
      key: 'raw/games',
      description: 'Games of a season (GET /games) in date windows split at the result cap; provides the season calendar.',
      windows: 'season',
      windowDays: 45,
      cap: (r) => r.gameCap,
      fetch: (client, season, w) => client.call(getGames, { query: { season, ...rangeParams(w) } }),
      calendar: (games) => [...new Set((games as { startDate: string }[]).map((g) => g.startDate.slice(0, 10)))].sort(),
    }),
    windowedSeasonAsset(resources, {
      key: 'raw/game_teams',
      description: 'Team box scores of a season (GET /games/teams) in date windows split at the result cap.',
      windows: 'schedule',
      // 2,700 games: about 45 days of conference play.
      windowDays: 45,
      cap: (r) => r.gameCap,
      fetch: (client, season, w) => client.call(getGameTeams, { query: { season, ...rangeParams(w) } }),
      gamesIn: distinctGames,
    }),
    windowedSeasonAsset(resources, {
      key: 'raw/game_players',
      description: 'Player box scores of a season (GET /games/players) in date windows split at its lower cap of 1,000 games.',
      windows: 'schedule',
      // 900 games: about 15 days of conference play.
      windowDays: 15,
      cap: (r) => Math.min(r.gameCap, 1_000),
      fetch: (client, season, w) => client.call(getGamePlayers, { query: { season, ...rangeParams(w) } }),
      gamesIn: distinctGames,
    }),
    windowedSeasonAsset(resources, {
      key: 'raw/lines',
      description: 'Betting lines of a season (GET /lines) in date windows split at the result cap.',
      windows: 'schedule',
      windowDays: 45,
      cap: (r) => r.gameCap,
      fetch: (client, season, w) => client.call(getLines, { query: { season, ...rangeParams(w) } }),
    }),
    windowedSeasonAsset(resources, {
      key: 'raw/game_media',
      description: 'Broadcasts of a season (GET /games/media) in date windows split at the result cap.',
      windows: 'schedule',
      windowDays: 45,
      cap: (r) => r.gameCap,
      fetch: (client, season, w) => client.call(getBroadcasts, { query: { season, ...rangeParams(w) } }),
    }),
  ];
}
