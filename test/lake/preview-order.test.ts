import { describe, expect, it } from 'vitest';
import { defineAsset, type AssetSpec } from '../../src/core/asset.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { previewOrder, previewTable } from '../../src/lake/query/preview.ts';

const spec = (preview?: { orderBy: string }): AssetSpec => ({
  key: 'gold/team_power_rankings', partitions: { kind: 'season' }, codeVersion: '1',
  schema: { columns: [{ name: 'teamId', type: 'bigint' }, { name: 'composite_rank', type: 'int' }, { name: 'season', type: 'int' }], primaryKey: ['teamId', 'season'] },
  ...(preview && { preview }),
} as AssetSpec);

function orderOf(preview?: { orderBy: string }) {
  const graph = buildAssetGraph([defineAsset(spec(preview), async () => [])]);
  const { def, table } = previewTable(graph, 'gold/team_power_rankings');
  return previewOrder(def, table);
}

describe('the preview order', () => {
  it.each([
    [undefined, { terms: [{ column: 'teamId', descending: false }, { column: 'season', descending: false }], tieBreakers: [] }],
    [{ orderBy: 'composite_rank' }, { terms: [{ column: 'composite_rank', descending: false }], tieBreakers: [{ column: 'teamId', descending: false }, { column: 'season', descending: false }] }],
    [{ orderBy: 'season DESC, composite_rank' }, { terms: [{ column: 'season', descending: true }, { column: 'composite_rank', descending: false }], tieBreakers: [{ column: 'teamId', descending: false }] }],
  ])('%j orders by %j', (preview, expected) => expect(orderOf(preview)).toEqual(expected));

  it.each(['composite_rnak', 'composite_rank; drop table x', 'composite_rank sideways', '"teamId"'])('refuses preview.orderBy %j, naming the asset and its columns', (orderBy) => {
    expect(() => orderOf({ orderBy })).toThrow(`gold/team_power_rankings: preview.orderBy "${orderBy}" must be "column [asc|desc]" terms over its declared columns (teamId, composite_rank, season).`);
  });
});
