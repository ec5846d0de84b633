import { describe, expect, it } from 'vitest';
import { defineAsset, type AssetSpec } from '../../src/core/asset.ts';
import { DefinitionError } from '../../src/core/errors.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';

const noop = async () => [];
const asset = (spec: Partial<AssetSpec> & { key: string }) =>
  defineAsset({ partitions: { kind: 'season' }, codeVersion: '1', ...spec }, noop);

function definitionError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    return (error as Error).message;
  }
  throw new Error('expected a DefinitionError');
}

describe('buildAssetGraph', () => {
  it('orders assets topologically, the same way every time', () => {
    const defs = [
      asset({ key: 'gold/z', deps: ['silver/b', 'silver/a'] }),
      asset({ key: 'silver/b', deps: ['raw/x'] }),
      asset({ key: 'silver/a', deps: ['raw/x'] }),
      asset({ key: 'raw/x' }),
    ];
    expect(buildAssetGraph(defs).order).toEqual(['raw/x', 'silver/a', 'silver/b', 'gold/z']);
    expect(buildAssetGraph([...defs].reverse()).order).toEqual(['raw/x', 'silver/a', 'silver/b', 'gold/z']);
  });

  it('names the cycle', () => {
    const message = definitionError(() => buildAssetGraph([
      asset({ key: 'silver/a', deps: ['silver/c'] }),
      asset({ key: 'silver/b', deps: ['silver/a'] }),
      asset({ key: 'silver/c', deps: ['silver/b'] }),
    ]));
    expect(message).toBe('Asset dependencies form a cycle: silver/a -> silver/b -> silver/c -> silver/a. Remove one of these dependencies.');
  });

  it('suggests the asset meant by an unknown dependency', () => {
    const message = definitionError(() => buildAssetGraph([asset({ key: 'silver/fct_games' }), asset({ key: 'gold/x', deps: ['silver/fct_game'] })]));
    expect(message).toBe('Unknown asset "silver/fct_game", a dependency of "gold/x". Did you mean "silver/fct_games"?');
  });

  it('reports every problem at once, each naming its asset', () => {
    const message = definitionError(() => buildAssetGraph([
      asset({ key: 'Silver/Games' }),
      asset({
        key: 'silver/games',
        schema: {
          columns: [{ name: 'gameId', type: 'int' }, { name: 'GameID', type: 'bigint' }, { name: 'venue', type: 'varchar2' }],
          primaryKey: ['id'],
        },
      }),
      asset({ key: 'silver/empty_key', schema: { columns: [{ name: 'a', type: 'int' }], primaryKey: [] } }),
    ]));
    expect(message).toContain('5 problems in the asset definitions');
    expect(message).toContain('Asset key "Silver/Games" is invalid');
    expect(message).toContain('Asset "silver/games": columns "gameId" and "GameID" differ only by case');
    expect(message).toContain('Asset "silver/games": column "venue" has type "varchar2": "varchar2" is not a type Parquet and Glue both support');
    expect(message).toContain('Asset "silver/games": primary key column "id" is not in the schema.');
    expect(message).toContain('Asset "silver/empty_key": schema.primaryKey is empty');
  });

  it.each([
    'int', 'bigint', 'double', 'string', 'date', 'timestamp', 'boolean', 'decimal(9,2)', 'array<int>',
    'struct<made:int,attempted:int>', 'array<struct<id:bigint,name:string>>', 'map<string,double>',
  ])('accepts column type %s', (type) => {
    expect(() => buildAssetGraph([asset({ key: 'bronze/t', schema: { columns: [{ name: 'c', type }], primaryKey: ['c'] } })])).not.toThrow();
  });

  it.each(['text', 'struct<a:int,A:int>', 'array<int', 'decimal(40,2)', 'int extra'])('rejects column type %s', (type) => {
    expect(() => buildAssetGraph([asset({ key: 'bronze/t', schema: { columns: [{ name: 'c', type }], primaryKey: ['c'] } })])).toThrow(/column "c" has type/);
  });

  it('rejects a mapping that does not fit the partitions, and a calendar that is not a season asset', () => {
    const message = definitionError(() => buildAssetGraph([
      asset({ key: 'raw/days', partitions: { kind: 'season_date', calendar: 'raw/snap' } }),
      asset({ key: 'raw/snap', partitions: { kind: 'none' } }),
      asset({ key: 'silver/s', deps: [{ key: 'raw/days', mapping: 'identity' }] }),
    ]));
    expect(message).toContain('Asset "raw/days": calendar "raw/snap" must be partitioned by season.');
    expect(message).toContain('Asset "silver/s": dependency "raw/days": identity needs both sides partitioned alike');
  });
});
