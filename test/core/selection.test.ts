import { describe, expect, it } from 'vitest';
import { defineAsset } from '../../src/core/asset.ts';
import { PlanError } from '../../src/core/errors.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { parsePartitionFilter, selectAssets } from '../../src/core/selection.ts';
import { window } from '../helpers.ts';

const a = (key: string, deps: string[] = []) => defineAsset({ key, deps, partitions: { kind: 'season' }, codeVersion: '1' }, async () => []);
const graph = buildAssetGraph([
  a('raw/games'), a('raw/teams'), a('bronze/games', ['raw/games']), a('bronze/teams', ['raw/teams']),
  a('silver/fct_games', ['bronze/games', 'bronze/teams']), a('gold/team_power_rankings', ['silver/fct_games']),
]);

describe('selectAssets', () => {
  it.each([
    ['silver/fct_games', ['silver/fct_games']],
    ['bronze/*', ['bronze/games', 'bronze/teams']],
    ['*', graph.order],
    ['*games', ['raw/games', 'bronze/games', 'silver/fct_games']],
    ['+silver/fct_games', ['raw/games', 'raw/teams', 'bronze/games', 'bronze/teams', 'silver/fct_games']],
    ['bronze/teams+', ['bronze/teams', 'silver/fct_games', 'gold/team_power_rankings']],
    ['raw/teams, gold/team_power_rankings', ['raw/teams', 'gold/team_power_rankings']],
    ['+bronze/*', ['raw/games', 'raw/teams', 'bronze/games', 'bronze/teams']],
  ])('%s', (selection, expected) => {
    expect(selectAssets(graph, selection)).toEqual(expected);
  });

  it('suggests the asset meant by a misspelt key', () => {
    expect(() => selectAssets(graph, 'gold/team_power_ranking')).toThrow(
      new PlanError('Unknown asset "gold/team_power_ranking" in the selection. Did you mean "gold/team_power_rankings"?'),
    );
  });

  it('says when a glob matches nothing, and rejects empty terms', () => {
    expect(() => selectAssets(graph, 'platinum/*')).toThrow(/"platinum\/\*" matches no asset. Layers are raw, bronze, silver, gold/);
    expect(() => selectAssets(graph, 'raw/games,,raw/teams')).toThrow(/empty term/);
  });
});

describe('parsePartitionFilter', () => {
  it.each([
    [{ season: '2024' }, { seasonFrom: 2024, seasonTo: 2024 }],
    [{ seasons: '2021-2024' }, { seasonFrom: 2021, seasonTo: 2024 }],
    [{ date: '2024-01-15' }, { seasonFrom: 2024, seasonTo: 2024, dateFrom: '2024-01-15', dateTo: '2024-01-15' }],
    [{ from: '2023-12-30', to: '2024-01-02' }, { seasonFrom: 2024, seasonTo: 2024, dateFrom: '2023-12-30', dateTo: '2024-01-02' }],
    [{}, {}],
  ])('%j', (input, expected) => {
    expect(parsePartitionFilter(input, window)).toEqual(expected);
  });

  it.each([
    [{ season: '2031' }, /outside the configured range 2020-2025/],
    [{ seasons: '2024-2021' }, /runs backwards/],
    [{ seasons: '2024' }, /not a range/],
    [{ date: '2024-02-30' }, /not a real date/],
    [{ date: '2024-07-01' }, /not inside any configured season/],
    [{ season: '2024', date: '2024-01-15' }, /only one of --season, --seasons and --date/],
    [{ from: '2024-02-01', to: '2024-01-01' }, /is after --to/],
  ])('%j is refused', (input, message) => {
    expect(() => parsePartitionFilter(input, window)).toThrow(message);
  });
});
