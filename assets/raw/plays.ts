/**
 * Play-by-play of a game day: one GET /plays/date call for all its games, reconciled against the games raw/games
 * stored for that day. A final game missing from the bulk answer is a gap, fetched per game; a game the API has no
 * plays for at all is remembered in the partition (and re-checked only when the day is re-fetched), not fetched
 * every night.
 */
import { getPlays, getPlaysByDate, type GameInfo, type PlayInfo } from 'cbbd';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import { dateOfKey, seasonOfKey } from '../../src/core/partitions.ts';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import type { ProjectResources } from '../resources.ts';
import { rawPartitionOutput } from './_raw-partition.ts';
import { readRecords } from './_read-raw.ts';

export function playsAsset(resources: ProjectResources): AssetDefinition {
  return defineAsset(
    {
      key: 'raw/plays',
      description: 'Plays of every game of a game day (GET /plays/date), gaps filled per game (GET /plays/game/{id}).',
      deps: ['raw/games'],
      partitions: { kind: 'season_date', calendar: 'raw/games' },
      codeVersion: '1',
      volatile: { maxAgeHours: 6 },
      batch: { maxPartitions: 7 },
      expectedCalls: (partitions) => partitions.length,
    },
    async (ctx) => {
      const client = await resources.source.client();
      const outputs = [];
      for (const partition of ctx.partitions) {
        const season = seasonOfKey(partition)!;
        const date = dateOfKey(partition)!;
        const games = (await readRecords<GameInfo>(resources.storage, `raw/games/season=${season}`))
          .filter((g) => g.startDate.startsWith(date) && g.status === 'final');
        const bulk = await client.call(getPlaysByDate, { query: { date } });
        const covered = new Set(bulk.data.map((p) => p.gameId));
        const responses: SourceResponse<PlayInfo[]>[] = [bulk];
        const noPlays: number[] = [];
        for (const game of games.filter((g) => !covered.has(g.id))) {
          const single = await client.call(getPlays, { path: { gameId: game.id } });
          if (single.data.length) responses.push(single);
          else noPlays.push(game.id);
        }
        if (noPlays.length) ctx.log.debug({ date, noPlays }, 'games the API has no plays for');
        outputs.push(await rawPartitionOutput(resources.storage, partition, `raw/plays/season=${season}/date=${date}`, responses, {}, {
          games: games.length, gapsFetched: games.filter((g) => !covered.has(g.id)).length, noPlays,
          apiCalls: 1 + games.filter((g) => !covered.has(g.id)).length,
        }));
      }
      return outputs;
    },
  );
}
