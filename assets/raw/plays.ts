/**
 * Play-by-play of a game day: one GET /plays/date call for all its games, reconciled against the games raw/games
 * stored for that day. A final game missing from the bulk answer is a gap, fetched per game; a game the API has no
 * plays for at all is remembered in the partition (and re-checked only when the day is re-fetched), not fetched
 * every night.
 */
import type { GameInfo } from 'cbbd';
import { getPlays, getPlaysByDate } from '../../src/cbbd/sdk.ts';
import pLimit from 'p-limit';
import { DEAD_LETTER_BODY_CHARS } from '../../src/cbbd/dead-letters.ts';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import { dateOfKey, seasonOfKey } from '../../src/core/partitions.ts';
import { expectedPlayGaps, gameDayShare, gameDaysBeyondCalendar, refreshesIncrementally } from './call-estimates.ts';
import type { ProjectResources } from '../resources.ts';
import { prepareInWorker } from '../../src/authoring/raw/body-pool.ts';
import { preparedPart, type RawPart } from '../../src/authoring/raw/body.ts';
import { rawPartitionOutput } from '../../src/authoring/raw/partition.ts';
import { recordTypeOf } from './record-types.ts';
import { INCREMENTAL } from '../../src/authoring/raw/incremental.ts';
import { rawInputRecords } from '../../src/authoring/inputs.ts';
import { readManifest } from '../../src/authoring/raw/store.ts';
import { partitionPrefix } from '../../src/lake/table-layout.ts';

const PLAY_TYPE = recordTypeOf('raw/plays');

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
      // One bulk call per game day, plus one per final game missing from it (the first time only). Before the season's
      // calendar is known the plan lists every day of the window, most but not all of them game days.
      expectedCalls: (partitions, context) => {
        let calls = 0;
        for (const partition of partitions) {
          const season = seasonOfKey(partition)!;
          const date = dateOfKey(partition)!;
          const lastBuilt = context?.lastSuccessAt(partition);
          // A refresh re-checks known gaps in the bulk answer only; games that finished since the last build are new.
          const newFinals = !refreshesIncrementally(context, partition) || (lastBuilt ?? 0) < Date.parse(`${date}T00:00:00Z`) + 26 * 3_600_000;
          calls += gameDayShare(context, season, date) * (1 + (newFinals ? expectedPlayGaps(season) : 0));
        }
        // The game days since the calendar's last fetch, which the run adds once raw/games is refreshed.
        for (const season of new Set(partitions.map((p) => seasonOfKey(p)!))) {
          const added = gameDaysBeyondCalendar(context, season, partitions.map((p) => dateOfKey(p)!), resources.rollingDays);
          // One bulk call a day; gaps only on the days whose games are final (a morning run also asks for today).
          calls += added.days + added.finished * expectedPlayGaps(season);
        }
        // To a tenth: a night is about 3.4 calls, and a whole number would be 12% off every night, always the same way.
        return Math.round(calls * 10) / 10;
      },
    },
    async (ctx) => {
      const client = await resources.source.client();
      // A day of plays is about 19 MB of JSON: worker threads parse, check and compress it from the bytes the API
      // sent (this thread only needs the day's game ids), while the API answers the next days.
      const inWorker = (bytes: ArrayBuffer) => prepareInWorker(bytes, { type: PLAY_TYPE, distinct: 'gameId', headChars: DEAD_LETTER_BODY_CHARS });
      const limit = pLimit(4);
      return Promise.all(ctx.partitions.map((partition) => limit(async () => {
        const date = dateOfKey(partition)!;
        const games = (await rawInputRecords<GameInfo>(resources.storage, ctx, 'raw/games', partition))
          .filter((g) => g.startDate.startsWith(date) && g.status === 'final');
        const bulk = await client.callPrepared(getPlaysByDate, { query: { date } }, inWorker);
        const inBulk = new Set(bulk.prepared.distinct);
        // Games the API had no plays for are remembered: a refresh re-checks them in the bulk answer only.
        const prefix = partitionPrefix('raw/plays', partition);
        const previous = INCREMENTAL.has(ctx.reasons.get(partition) ?? 'missing') ? await readManifest(resources.storage, prefix) : undefined;
        const knownEmpty = new Set((previous?.noPlays as number[] | undefined) ?? []);
        const noPlays = games.filter((g) => !inBulk.has(g.id) && knownEmpty.has(g.id)).map((g) => g.id);
        const gaps = games.filter((g) => !inBulk.has(g.id) && !knownEmpty.has(g.id));
        const responses: RawPart[] = [preparedPart(bulk)];
        for (const game of gaps) {
          const single = await client.callPrepared(getPlays, { path: { gameId: game.id } }, inWorker);
          if (single.prepared.records) responses.push(preparedPart(single));
          else noPlays.push(game.id);
        }
        if (noPlays.length) ctx.log.debug({ date, noPlays }, 'games the API has no plays for');
        return rawPartitionOutput(resources, PLAY_TYPE, partition, prefix, responses, { apiCalls: 1 + gaps.length }, {
          games: games.length, gapsFetched: gaps.length, noPlays,
        });
      })));
    },
  );
}
