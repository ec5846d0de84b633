/**
 * Season sources fetched once per Division I team (GET /substitutions/team, GET /lineups/team): about 362 calls
 * each a season, far fewer than one per game.
 */
import { getLineupsByTeamSeason, getSubstitutionsByTeam, type TeamInfo } from 'cbbd';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import type { ProjectResources } from '../resources.ts';
import { rawPartitionOutput } from './_raw-partition.ts';
import { readRecords } from './_read-raw.ts';

type Client = Awaited<ReturnType<ProjectResources['source']['client']>>;

/** A season asset fetched with one call per Division I team, read from raw/teams. */
function perTeamSeasonAsset(
  resources: ProjectResources,
  key: string,
  description: string,
  fetch: (client: Client, season: number, team: string) => Promise<SourceResponse<unknown[]>>,
): AssetDefinition {
  return defineAsset(
    { key, description, deps: ['raw/teams'], partitions: { kind: 'season' }, codeVersion: '1', volatile: { maxAgeHours: 24 }, expectedCalls: (p) => p.length * 362 },
    async (ctx) => {
      const client = await resources.source.client();
      const outputs = [];
      for (const season of ctx.partitions) {
        // Division I teams are those with a conference.
        const teams = (await readRecords<TeamInfo>(resources.storage, `raw/teams/season=${season}`)).filter((t) => t.conferenceId !== null);
        const responses = await Promise.all(teams.map((t) => fetch(client, Number(season), t.school)));
        outputs.push(await rawPartitionOutput(resources.storage, season, `${key}/season=${season}`, responses));
      }
      return outputs;
    },
  );
}

export function perTeamAssets(resources: ProjectResources): AssetDefinition[] {
  return [
    perTeamSeasonAsset(resources, 'raw/substitutions', 'Substitutions of a season (GET /substitutions/team), one call per Division I team.',
      (client, season, team) => client.call(getSubstitutionsByTeam, { query: { season, team } })),
    perTeamSeasonAsset(resources, 'raw/lineups', 'Lineups of a season (GET /lineups/team), one call per Division I team.',
      (client, season, team) => client.call(getLineupsByTeamSeason, { query: { season, team } })),
  ];
}
