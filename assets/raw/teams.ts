/** Teams of every division for a season (GET /teams?season=), one call per season. */
import { getTeams } from 'cbbd';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import type { ProjectResources } from '../resources.ts';
import { rawPartitionOutput } from './_raw-partition.ts';

export function teamsAsset(resources: ProjectResources): AssetDefinition {
  return defineAsset(
    {
      key: 'raw/teams',
      description: 'Teams of every division in a season (GET /teams), as the API returned them.',
      partitions: { kind: 'season' },
      codeVersion: '1',
      volatile: { maxAgeHours: 24 * 7 },
      expectedCalls: (partitions) => partitions.length,
    },
    async (ctx) => {
      const client = await resources.source.client();
      return Promise.all(ctx.partitions.map(async (season) => {
        const response = await client.call(getTeams, { query: { season: Number(season) } });
        return rawPartitionOutput(resources.storage, season, `raw/teams/season=${season}`, [response]);
      }));
    },
  );
}
