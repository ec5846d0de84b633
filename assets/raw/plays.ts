/**
 * Play-by-play of a game day: one GET /plays/date call for all its games, reconciled against the games raw/games
 * stored for that day. A final game missing from the bulk answer is a gap, fetched per game; a game the API has no
 * plays for at all is remembered in the partition (and re-checked only when the day is re-fetched), not fetched
 * every night.
 */
import { getPlays, getPlaysByDate, type GameInfo, type PlayInfo } from 'cbbd';
import pLimit from 'p-limit';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import { dateOfKey, seasonOfKey } from '../../src/core/partitions.ts';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import type { ProjectResources } from '../resources.ts';
import { rawPartitionOutput } from './_raw-partition.ts';
import { INCREMENTAL } from './_incremental.ts';
import { readManifest, readRecords } from './_read-raw.ts';

export function playsAsset(resources: ProjectResources): AssetDefinition {
  return defineAsset(
    {
      key: 'raw/plays',
      description: 'Plays of every game of a game day (GET /plays/date), gaps filled per game (GET /plays/game/{id}).',
      // Reads the day's games; a changed day is re-fetched through the rolling window, so other days stay fresh.
      deps: [{ key: 'raw/games', affectsStaleness: false }],
      partitions: { kind: 'season_date', calendar: 'raw/games' },
      codeVersion: '1',
      volatile: { maxAgeHours: 6 },
      batch: { maxPartitions: 7 },
      expectedCalls: (partitions) => partitions.length,
    },
    async (ctx) => {
      const client = await resources.source.client();
      // Two game days at a time: one is parsed, checked and compressed here while the API answers the other.
      const limit = pLimit(2);
      return Promise.all(ctx.partitions.map((partition) => limit(async () => {
        const season = seasonOfKey(partition)!;
        const date = dateOfKey(partition)!;
        const games = (await readRecords<GameInfo>(resources.storage, `raw/games/season=${season}`))
          .filter((g) => g.startDate.startsWith(date) && g.status === 'final');
        const bulk = await client.call(getPlaysByDate, { query: { date } });
        const inBulk = new Set(bulk.data.map((p) => p.gameId));
        // Games the API had no plays for are remembered: a refresh re-checks them in the bulk answer only.
        const prefix = `raw/plays/season=${season}/date=${date}`;
        const previous = INCREMENTAL.has(ctx.reasons.get(partition) ?? 'missing') ? await readManifest(resources.storage, prefix) : undefined;
        const knownEmpty = new Set((previous?.noPlays as number[] | undefined) ?? []);
        const noPlays = games.filter((g) => !inBulk.has(g.id) && knownEmpty.has(g.id)).map((g) => g.id);
        const gaps = games.filter((g) => !inBulk.has(g.id) && !knownEmpty.has(g.id));
        const responses: SourceResponse<PlayInfo[]>[] = [bulk];
        for (const game of gaps) {
          const single = await client.call(getPlays, { path: { gameId: game.id } });
          if (single.data.length) responses.push(single);
          else noPlays.push(game.id);
        }
        if (noPlays.length) ctx.log.debug({ date, noPlays }, 'games the API has no plays for');
        return rawPartitionOutput(resources, partition, prefix, responses, {}, {
          games: games.length, gapsFetched: gaps.length, noPlays, apiCalls: 1 + gaps.length,
        });
      })));
    },
  );
}
