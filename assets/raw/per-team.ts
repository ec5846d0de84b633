/**
 * Season sources fetched once per Division I team for a backfill (GET /substitutions/team, GET /lineups/team: about
 * 362 calls each a season, far fewer than one per game), then kept up to date per game: a refresh asks
 * /substitutions/game/{id} and /lineups/game/{id} only for the games that became final since, about 50 calls a night
 * instead of 362. The partition's manifest remembers which games its parts cover.
 */
import type { GameInfo, TeamInfo } from 'cbbd';
import { getLineupsByTeamSeason, getLineupStatsByGame, getSubstitutionsByGame, getSubstitutionsByTeam } from '../../src/cbbd/sdk.ts';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import type { ProjectResources } from '../resources.ts';
import { INCREMENTAL } from '../../src/lake/raw/incremental.ts';
import { rawPartitionOutput } from '../../src/lake/raw/partition.ts';
import { recordTypeOf } from './record-types.ts';
import { dayIn, DIVISION_ONE_TEAMS, gamesFinishedBetween, refreshesIncrementally } from './call-estimates.ts';
import { seasonDates } from '../../src/core/partitions.ts';
import { rawInputRecords } from '../../src/lake/inputs.ts';
import { readManifest, readStoredResponse } from '../../src/lake/raw/store.ts';
import { partitionPrefix } from '../../src/lake/table-layout.ts';

type Client = Awaited<ReturnType<ProjectResources['source']['client']>>;

interface PerTeamEndpoint {
  readonly key: string;
  readonly description: string;
  readonly byTeam: (client: Client, season: number, team: string) => Promise<SourceResponse<unknown[]>>;
  readonly byGame: (client: Client, gameId: number) => Promise<SourceResponse<unknown[]>>;
}

function perTeamSeasonAsset(resources: ProjectResources, endpoint: PerTeamEndpoint): AssetDefinition {
  return defineAsset(
    {
      key: endpoint.key, description: endpoint.description, deps: ['raw/teams', 'raw/games'], partitions: { kind: 'season' }, codeVersion: '2',
      volatile: { maxAgeHours: 20 },
      // A backfill asks once per Division I team; a refresh once per game that became final since the last build.
      expectedCalls: (partitions, context) => Math.round(partitions.reduce((n, season) => {
        if (!refreshesIncrementally(context, season)) return n + DIVISION_ONE_TEAMS;
        const dates = seasonDates(Number(season), resources.window);
        return n + gamesFinishedBetween(context.lastSuccessAt(season)!, context.now.getTime(), dayIn(dates[0]!, dates.at(-1)!));
      }, 0)),
    },
    async (ctx) => {
      const client = await resources.source.client();
      const outputs = [];
      for (const season of ctx.partitions) {
        const prefix = partitionPrefix(endpoint.key, season);
        const finals = (await rawInputRecords<GameInfo>(resources.storage, ctx, 'raw/games', season)).filter((g) => g.status === 'final').map((g) => g.id);
        const previous = INCREMENTAL.has(ctx.reasons.get(season) ?? 'missing') ? await readManifest(resources.storage, prefix) : undefined;
        const covered = previous && Array.isArray(previous.coveredGames) ? new Set(previous.coveredGames as number[]) : undefined;
        let responses: SourceResponse<unknown[]>[];
        if (previous && covered) {
          // Keep every stored part as fetched; ask only for the games that became final since.
          const kept = await Promise.all(previous.parts.map((part) => readStoredResponse<unknown>(resources.storage, prefix, part)));
          const fresh = await Promise.all(finals.filter((id) => !covered.has(id)).map((id) => endpoint.byGame(client, id)));
          responses = [...kept, ...fresh];
        } else {
          // Division I teams are those with a conference.
          const teams = (await rawInputRecords<TeamInfo>(resources.storage, ctx, 'raw/teams', season)).filter((t) => t.conferenceId !== null);
          responses = await Promise.all(teams.map((t) => endpoint.byTeam(client, Number(season), t.school)));
        }
        const coveredGames = [...new Set([...(covered ?? []), ...finals])].sort((a, b) => a - b);
        outputs.push(await rawPartitionOutput(resources, recordTypeOf(endpoint.key), season, prefix, responses, {
          apiCalls: responses.length - (previous && covered ? previous.parts.length : 0),
        }, { coveredGames }));
      }
      return outputs;
    },
  );
}

export function perTeamAssets(resources: ProjectResources): AssetDefinition[] {
  return [
    perTeamSeasonAsset(resources, {
      key: 'raw/substitutions',
      description: 'Substitutions of a season: one GET /substitutions/team per Division I team, then GET /substitutions/game/{id} per newly final game.',
      byTeam: (client, season, team) => client.call(getSubstitutionsByTeam, { query: { season, team } }),
      byGame: (client, gameId) => client.call(getSubstitutionsByGame, { path: { gameId } }),
    }),
    perTeamSeasonAsset(resources, {
      key: 'raw/lineups',
      description: 'Lineups of a season: season totals per Division I team (GET /lineups/team), then per newly final game (GET /lineups/game/{id}); silver adds them up.',
      byTeam: (client, season, team) => client.call(getLineupsByTeamSeason, { query: { season, team } }),
      byGame: (client, gameId) => client.call(getLineupStatsByGame, { path: { gameId } }),
    }),
  ];
}
