/**
 * Games of a season (GET /games), fetched in date windows split at the API's cap, so no game is lost silently.
 * The season's game days it finds are the calendar of every game-day partitioned asset.
 */
import { getGames, type GameInfo } from 'cbbd';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import { dateWindows, fetchCapped, rangeParams } from '../../src/cbbd/game-windows.ts';
import { isoDateOf, seasonDates } from '../../src/core/partitions.ts';
import type { ProjectResources } from '../resources.ts';
import { rawPartitionOutput } from './_raw-partition.ts';

/** Thirty days hold about 1,200 games in a full season: well under the cap of 3,000, so splits are rare. */
const WINDOW_DAYS = 30;

export function gamesAsset(resources: ProjectResources): AssetDefinition {
  const seasonRange = (season: number) => {
    const dates = seasonDates(season, resources.window);
    const today = isoDateOf(resources.now());
    return { from: dates[0]!, to: dates.at(-1)! < today ? dates.at(-1)! : today };
  };
  return defineAsset(
    {
      key: 'raw/games',
      description: 'Games of a season (GET /games) in date windows split at the result cap; provides the season calendar.',
      partitions: { kind: 'season' },
      codeVersion: '1',
      volatile: { maxAgeHours: 6 },
      expectedCalls: (partitions) => partitions.reduce((n, s) => {
        const { from, to } = seasonRange(Number(s));
        return n + dateWindows(from, to, WINDOW_DAYS).length;
      }, 0),
    },
    async (ctx) => {
      const client = await resources.source.client();
      return Promise.all(ctx.partitions.map(async (seasonKey) => {
        const season = Number(seasonKey);
        const { from, to } = seasonRange(season);
        const windows = await fetchCapped<GameInfo>(dateWindows(from, to, WINDOW_DAYS), resources.gameCap, (w) =>
          client.call(getGames, { query: { season, ...rangeParams(w) } }));
        const calendar = [...new Set(windows.flatMap((w) => w.response.data.map((g) => g.startDate.slice(0, 10))))].sort();
        ctx.log.debug({ season, windows: windows.length, games: windows.reduce((n, w) => n + w.response.data.length, 0) }, 'fetched games');
        return rawPartitionOutput(resources.storage, seasonKey, `raw/games/season=${seasonKey}`, windows.map((w) => w.response), { calendar });
      }));
    },
  );
}
