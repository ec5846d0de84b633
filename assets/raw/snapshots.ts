/** Snapshot sources: one call each, shared by all seasons, kept as one `asof=` folder per day. */
import { getConferenceHistory, getConferences, getDraftPositions, getDraftTeams, getPlayTypes, getProviders, getVenues } from '../../src/cbbd/sdk.ts';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import { isoDateOf } from '../../src/core/partitions.ts';
import { snapshotPrefix } from '../../src/authoring/inputs.ts';
import type { ProjectResources } from '../resources.ts';
import { rawPartitionOutput } from '../../src/authoring/raw/partition.ts';
import { recordTypeOf } from './record-types.ts';

export function snapshotAssets(resources: ProjectResources): AssetDefinition[] {
  const snapshot = (name: string, description: string, call: (options: { client: never; throwOnError: false }) => unknown) =>
    defineAsset(
      {
        key: `raw/${name}`,
        description,
        partitions: { kind: 'none' },
        codeVersion: '1',
        volatile: { maxAgeHours: 24 * 7 },
        expectedCalls: () => 1,
        // Under the nightly's call budget the weekly snapshot may wait up to two nights for the night's games.
        deferrable: { withinHours: 48 },
      },
      async (ctx) => {
        const client = await resources.source.client();
        const response = await client.call(call as typeof getConferences, {});
        const prefix = snapshotPrefix(`raw/${name}`, isoDateOf(resources.now()));
        return Promise.all(ctx.partitions.map((p) => rawPartitionOutput(resources, recordTypeOf(`raw/${name}`), p, prefix, [response])));
      },
    );
  return [
    snapshot('conferences', 'Every conference (GET /conferences), as the API returned it.', getConferences),
    snapshot('venues', 'Every venue (GET /venues), as the API returned it.', getVenues),
    snapshot('play_types', 'Every play type (GET /plays/types), as the API returned it.', getPlayTypes),
    snapshot('lines_providers', 'Every betting-line provider (GET /lines/providers), as the API returned it.', getProviders),
    snapshot('conference_history', 'Conference membership over time (GET /conferences/history).', getConferenceHistory),
    snapshot('draft_teams', 'Professional teams of the draft (GET /draft/teams).', getDraftTeams),
    snapshot('draft_positions', 'Draft positions (GET /draft/positions).', getDraftPositions),
  ];
}
