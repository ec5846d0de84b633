import { describe, expect, it } from 'vitest';
import { defineAsset } from '../../src/core/asset.ts';
import { PlanError } from '../../src/core/errors.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { globMatches, parsePartitionFilter, selectAssets } from '../../src/core/selection.ts';
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

  it('refuses a selection longer than 1,000 characters, saying how to select instead', () => {
    expect(() => selectAssets(graph, 'raw/games,'.repeat(101))).toThrow(/1010 characters long; at most 1000 are accepted. Select by layer/);
  });

  it('accepts a list of every asset of a graph whose keys add up to more than 1,000 characters (what a replay builds)', () => {
    const big = buildAssetGraph(Array.from({ length: 60 }, (_, i) => a(`silver/a_rather_long_table_name_${i}`)));
    const everything = big.order.join(',');
    expect(everything.length).toBeGreaterThan(1_000);
    expect(selectAssets(big, everything)).toEqual(big.order);
  });

  it('says when a glob matches nothing, and rejects empty terms', () => {
    expect(() => selectAssets(graph, 'platinum/*')).toThrow(/"platinum\/\*" matches no asset. Layers are raw, bronze, silver, gold/);
    expect(() => selectAssets(graph, 'raw/games,,raw/teams')).toThrow(/empty term/);
  });
});

describe('globMatches', () => {
  it.each([
    ['*', '', true], ['*', 'raw/games', true], ['raw/*', 'raw/games', true], ['raw/*', 'bronze/games', false],
    ['*games', 'silver/fct_games', true], ['*games', 'silver/fct_games_x', false], ['s*r/*s', 'silver/fct_games', true],
    ['a*b*c', 'abc', true], ['a*b*c', 'acb', false], ['**', 'x', true], ['raw/games', 'raw/games', true], ['raw/game', 'raw/games', false],
  ])('%s against %s is %s', (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected);
  });

  it('takes linear steps on patterns that make a regular expression backtrack exponentially', () => {
    // A regular expression with `.*` per star needs ~9 s for 8 stars here and never finishes for a dozen.
    const key = `silver/${'a'.repeat(200)}`;
    expect(globMatches(`${'*'.repeat(500)}Z`, key)).toBe(false);
    expect(globMatches(`${'*a'.repeat(100)}*`, key)).toBe(true);
  });
});

describe('parsePartitionFilter', () => {
  it.each([
    [{ season: '2024' }, { seasonFrom: 2024, seasonTo: 2024 }],
    [{ seasons: '2021-2024' }, { seasonFrom: 2021, seasonTo: 2024 }],
    [{ date: '2024-01-15' }, { seasonFrom: 2024, seasonTo: 2024, dateFrom: '2024-01-15', dateTo: '2024-01-15' }],
    [{ season: '2024', date: '2024-01-15' }, { seasonFrom: 2024, seasonTo: 2024, dateFrom: '2024-01-15', dateTo: '2024-01-15' }],
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
    [{ season: '2023', date: '2024-01-15' }, /is in season 2024, not 2023/],
    [{ seasons: '2023-2024', date: '2024-01-15' }, /only one of --season, --seasons and --date/],
    [{ from: '2024-02-01', to: '2024-01-01' }, /is after --to/],
  ])('%j is refused', (input, message) => {
    expect(() => parsePartitionFilter(input, window)).toThrow(message);
  });
});
