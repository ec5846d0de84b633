/**
 * The storage layout's one rule, checked without Python: a partition key lives in the path only. Every table the
 * project declares obeys it (Spark refuses a table whose files repeat a path key, ignoring case), and the catalog
 * describes each table as its files and folders are laid out.
 */
import { describe, expect, it } from 'vitest';
import { createAssets, type ProjectResources } from '../../assets/index.ts';
import type { ColumnSpec } from '../../src/core/asset.ts';
import { DefinitionError } from '../../src/core/errors.ts';
import type { PartitionsDef } from '../../src/core/partitions.ts';
import { catalogTables } from '../../src/lake/catalog/catalog.ts';
import { layoutProblems, partitionPath, partitionValues, tableLayout } from '../../src/lake/table-layout.ts';

// Declaring the graph touches no resource: computes use them, declarations do not.
const declared = createAssets({} as ProjectResources).filter((a) => !a.key.startsWith('raw/') && a.schema);
const col = (name: string, type = 'bigint'): ColumnSpec => ({ name, type });
const table = (partitions: PartitionsDef, ...columns: ColumnSpec[]) => ({ key: 'gold/t', partitions, schema: { columns } });

describe('where a table\'s columns live', () => {
  it.each([
    ['an unpartitioned table keeps every column in its files', table({ kind: 'none' }, col('id'), col('season', 'int')), [], ['id', 'season'], undefined],
    ['a season table has season in the path only', table({ kind: 'season' }, col('id'), col('season', 'int')), ['season'], ['id'], undefined],
    ['a season table that declares date writes date= folders', table({ kind: 'season' }, col('id'), col('season', 'int'), col('date', 'string')), ['season', 'date'], ['id'], 'date'],
    ['a season×date table has both keys in its partition path', table({ kind: 'season_date' }, col('id')), ['season', 'date'], ['id'], undefined],
  ])('%s', (_, asset, keys, files, folderKey) => {
    const layout = tableLayout(asset);
    expect(layout.partitionKeys.map((k) => k.name)).toEqual(keys);
    expect(layout.fileColumns.map((c) => c.name)).toEqual(files);
    expect(layout.folderKey).toBe(folderKey);
  });

  it.each([
    ['-', '', {}],
    ['2024', 'season=2024', { season: 2024 }],
    ['2024|2024-01-15', 'season=2024/date=2024-01-15', { season: 2024, date: '2024-01-15' }],
  ])('partition %s lives at "%s"', (partition, path, values) => {
    expect(partitionPath(partition)).toBe(path);
    expect(partitionValues(partition)).toEqual(values);
  });

  it('gives partition keys the types readers infer from the path: season an int (pyarrow int32), date a string', () => {
    expect(tableLayout(table({ kind: 'season_date' })).partitionKeys.map((k) => `${k.name}:${k.type}`)).toEqual(['season:int', 'date:string']);
  });
});

describe('the Spark rule', () => {
  it('names a file column that differs from a key only by case, and a key declared with another type', () => {
    const problems = layoutProblems(table({ kind: 'season' }, col('id'), col('Season', 'int'), col('season', 'bigint')));
    expect(problems).toEqual([
      expect.stringMatching(/^gold\/t: column "Season" would be in the files beside the season= folder \(Spark refuses such a table\); rename it/),
      expect.stringMatching(/^gold\/t: column "season" is declared bigint, but readers take it from the season= folder as int; declare it int\.$/),
    ]);
    expect(() => catalogTables([table({ kind: 'season' }, col('SEASON'))])).toThrow(DefinitionError);
    expect(() => catalogTables([table({ kind: 'season' }, col('SEASON'))])).toThrow(/gold\/t: column "SEASON" would be in the files/);
  });

  it('holds for every bronze, silver and gold table the project declares', () => {
    expect(declared.length).toBeGreaterThanOrEqual(53);
    expect(declared.flatMap((a) => layoutProblems(a))).toEqual([]);
    for (const t of catalogTables(declared)) {
      const keys = t.partitionKeys.map((k) => k.name.toLowerCase());
      expect(t.columns.filter((c) => keys.includes(c.name.toLowerCase())), t.key).toEqual([]);
    }
  });

  it('takes the API\'s season out of bronze\'s files and gives it the path\'s type, as silver does', () => {
    const tables = new Map(catalogTables(declared).map((t) => [t.key, t]));
    for (const key of ['bronze/games', 'bronze/plays', 'bronze/rosters', 'silver/fct_games']) {
      expect(tables.get(key)!.columns.map((c) => c.name), key).not.toContain('season');
      expect(tables.get(key)!.partitionKeys[0], key).toMatchObject({ name: 'season', type: 'int' });
    }
    // The API sends plays' season as a number with a fraction; readers see the folder's integer.
    expect(declared.find((a) => a.key === 'bronze/plays')!.schema!.columns.find((c) => c.name === 'season')!.type).toBe('int');
    expect(tables.get('bronze/venues')!.partitionKeys).toEqual([]);
  });
});
