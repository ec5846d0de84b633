/**
 * Season sources fetched once per Division I team (GET /substitutions/team): about 362 calls a season, far fewer
 * than one per game. Rosters come in one call for all teams (GET /teams/roster).
 */
import { getSubstitutionsByTeam, getTeamRoster, type TeamInfo } from 'cbbd';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import type { ProjectResources } from '../resources.ts';
import { rawPartitionOutput } from './_raw-partition.ts';
import { readRecords } from './_read-raw.ts';

export function perTeamAssets(resources: ProjectResources): AssetDefinition[] {
  return [
    defineAsset(
      {
        key: 'raw/rosters',
        description: 'Rosters of every team in a season (GET /teams/roster), one call.',
        partitions: { kind: 'season' },
        codeVersion: '1',
        volatile: { maxAgeHours: 24 * 7 },
        expectedCalls: (p) => p.length,
      },
      async (ctx) => {
        const client = await resources.source.client();
        return Promise.all(ctx.partitions.map(async (season) => {
          const response = await client.call(getTeamRoster, { query: { season: Number(season) } });
          return rawPartitionOutput(resources.storage, season, `raw/rosters/season=${season}`, [response]);
        }));
      },
    ),
    defineAsset(
      {
        key: 'raw/substitutions',
        description: 'Substitutions of a season (GET /substitutions/team), one call per Division I team.',
        deps: ['raw/teams'],
        partitions: { kind: 'season' },
        codeVersion: '1',
        volatile: { maxAgeHours: 24 },
        expectedCalls: (p) => p.length * 362,
      },
      async (ctx) => {
        const client = await resources.source.client();
        const outputs = [];
        for (const season of ctx.partitions) {
          // Division I teams are those with a conference.
          const teams = (await readRecords<TeamInfo>(resources.storage, `raw/teams/season=${season}`)).filter((t) => t.conferenceId !== null);
          const responses = await Promise.all(teams.map((t) => client.call(getSubstitutionsByTeam, { query: { season: Number(season), team: t.school } })));
          outputs.push(await rawPartitionOutput(resources.storage, season, `raw/substitutions/season=${season}`, responses));
        }
        return outputs;
      },
    ),
  ];
}
