/**
 * An asset's checks evaluated again over what is stored (`cbbd validate`), not over a fresh materialization:
 *  - `schema_contract`: the stored Parquet files hold exactly the declared file columns, with the declared types
 *    (what every write checks before it commits), for bronze, silver and gold tables;
 *  - `keys_unique_not_null`: no stored row without its key, no key twice within a partition (tables with a key);
 *  - `raw_parts_present`: a raw partition's manifest is there and every body it lists is stored;
 *  - every check declared with SQL (`AssetCheck.sql`): its query over a view `out` of the stored partition and its
 *    inputs' stored partitions, resolved through the same partition mappings a run uses.
 * A check written as a function of the materialization's output (quarantine counts, solver iterations) cannot be run
 * again from stored data: it is reported as such with its last recorded result, never silently skipped.
 */
import type { AssetDefinition } from '../core/asset.ts';
import { layerOf } from '../core/asset.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckConnection, sqlString } from '../lake/duckdb.ts';
import { LocalFiles } from '../lake/local-files.ts';
import { rawPartitionPrefix } from './inputs.ts';
import { readManifest } from './raw/store.ts';
import { quoteIdent } from '../lake/schema/field-types.ts';
import { duckTypeOfGlue } from '../lake/schema/glue-types.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';
import { partitionPrefix, tableLayout, type TableLayout } from '../lake/table-layout.ts';
import { schemaProblems } from './table-writer.ts';

export const SCHEMA_CHECK = 'schema_contract';
export const KEYS_CHECK_NAME = 'keys_unique_not_null';
export const RAW_PARTS_CHECK = 'raw_parts_present';

export interface StoredCheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly blocking: boolean;
  readonly detail?: string;
}

export interface StoredPartitionChecks {
  /** Checks run again over the stored partition. */
  readonly results: readonly StoredCheckResult[];
  /** Declared checks that can run only at materialization (their last recorded result stands). */
  readonly notRerunnable: readonly string[];
}

/** Resolves which stored partitions of a dependency a partition reads (the run's partition mappings). */
export type InputResolver = (asset: AssetDefinition, dependency: string, partition: string) => readonly string[];

/** The checks of `validate` for one asset's stored partitions, through one DuckDB connection. */
export class StoredChecks {
  private constructor(
    private readonly storage: ObjectStorage,
    private readonly connection: DuckDBConnection,
    private readonly files: LocalFiles,
    private readonly layoutOf: (key: string) => TableLayout | undefined,
  ) {}

  static async open(storage: ObjectStorage, layoutOf: (key: string) => TableLayout | undefined): Promise<StoredChecks> {
    return new StoredChecks(storage, await duckConnection(), new LocalFiles(storage), layoutOf);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    await this.files.close();
  }

  /** Which of an asset's declared checks cannot be run again from stored data. */
  static notRerunnable(asset: AssetDefinition): string[] {
    return (asset.checks ?? []).filter((c) => !c.sql && c.name !== KEYS_CHECK_NAME).map((c) => c.name);
  }

  async check(asset: AssetDefinition, partition: string, inputs: InputResolver): Promise<StoredPartitionChecks> {
    const notRerunnable = StoredChecks.notRerunnable(asset);
    if (layerOf(asset.key) === 'raw') return { results: [await this.rawParts(asset, partition)], notRerunnable };
    const layout = tableLayout(asset);
    const files = (await this.storage.list(`${partitionPrefix(asset.key, partition)}/`)).filter((k) => k.endsWith('.parquet'));
    if (!files.length) {
      return { results: [{ name: SCHEMA_CHECK, passed: false, blocking: true, detail: `no Parquet file under ${partitionPrefix(asset.key, partition)}/ although the run log says it was built: materialize it again with --force` }], notRerunnable };
    }
    const results: StoredCheckResult[] = [];
    await this.view('out', files, layout);
    // The files' own columns (without the Hive keys the view adds from the path), against the declared file columns.
    const described = (await this.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet([${(await this.files.paths(files)).map(sqlString).join(', ')}], union_by_name = true)`))
      .getRowObjects().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    const problems = schemaProblems(described, layout.fileColumns, layout.partitionKeys, true);
    // The writer's wording ("cast it in the SQL") speaks to the asset's author: say it, and keep the line short.
    const detail = `stored files differ from the declared schema: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`;
    results.push({ name: SCHEMA_CHECK, passed: !problems.length, blocking: true, ...(problems.length && { detail }) });
    const pathKeys = new Set(layout.partitionKeys.map((k) => k.name));
    const rowKey = (asset.schema?.primaryKey ?? []).filter((k) => !pathKeys.has(k));
    if (rowKey.length && !problems.length) {
      const keys = rowKey.map(quoteIdent).join(', ');
      const row = (await this.connection.runAndReadAll(
        `SELECT count(*) FILTER (WHERE ${rowKey.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ')}) AS null_keys, count(*) - count(DISTINCT (${keys})) AS duplicate_keys FROM out`,
      )).getRowObjects()[0]!;
      const [nullKeys, duplicates] = [Number(row.null_keys), Number(row.duplicate_keys)];
      const passed = nullKeys === 0 && duplicates === 0;
      results.push({ name: KEYS_CHECK_NAME, passed, blocking: true, ...(!passed && { detail: `${nullKeys} row(s) without a key, ${duplicates} duplicate key(s) (${rowKey.join(', ')})` }) });
    }
    for (const check of asset.checks ?? []) {
      if (!check.sql) continue;
      const blocking = check.blocking ?? true;
      try {
        for (const [view, dependency] of Object.entries(check.sql.inputs)) {
          const parts = inputs(asset, dependency, partition);
          const upstream = this.layoutOf(dependency);
          const inputFiles: string[] = [];
          for (const p of parts) inputFiles.push(...(await this.storage.list(`${partitionPrefix(dependency, p)}/`)).filter((k) => k.endsWith('.parquet')));
          await this.view(view, inputFiles, upstream);
        }
        const row = (await this.connection.runAndReadAll(check.sql.query)).getRowObjects()[0];
        const passed = row?.passed === true;
        results.push({ name: check.name, passed, blocking, ...(row?.detail != null && !passed && { detail: String(row.detail) }) });
      } catch (error) {
        results.push({ name: check.name, passed: false, blocking, detail: `the check could not run over the stored data: ${(error as Error).message.split('\n')[0]}` });
      }
    }
    return { results, notRerunnable };
  }

  /** A raw partition: its manifest is there and lists only bodies that are stored. */
  private async rawParts(asset: AssetDefinition, partition: string): Promise<StoredCheckResult> {
    try {
      const prefix = await rawPartitionPrefix(this.storage, asset.key, partition);
      const manifest = await readManifest(this.storage, prefix);
      if (!manifest) return { name: RAW_PARTS_CHECK, passed: false, blocking: true, detail: `${prefix}/_partition.json is missing: materialize the partition again with --force` };
      const stored = new Set(await this.storage.list(`${prefix}/`));
      const missing = manifest.parts.filter((p) => !stored.has(`${prefix}/${p.name}`)).map((p) => p.name);
      return {
        name: RAW_PARTS_CHECK, passed: !missing.length, blocking: true,
        ...(missing.length && { detail: `${missing.length} body/bodies listed in ${prefix}/_partition.json are missing (${missing.slice(0, 3).join(', ')}): materialize the partition again with --force` }),
      };
    } catch (error) {
      return { name: RAW_PARTS_CHECK, passed: false, blocking: true, detail: (error as Error).message };
    }
  }

  /** A view of stored files with their Hive keys typed as every reader types them; no files is an empty view. */
  private async view(name: string, files: readonly string[], layout: TableLayout | undefined): Promise<void> {
    let relation: string;
    if (!files.length && layout) {
      relation = `SELECT ${[...layout.fileColumns, ...layout.partitionKeys].map((c) => `NULL::${duckTypeOfGlue(c.type)} AS ${quoteIdent(c.name)}`).join(', ')} LIMIT 0`;
    } else {
      const hive = layout?.partitionKeys.length
        ? `, hive_partitioning = true, hive_types = {${layout.partitionKeys.map((k) => `${sqlString(k.name)}: ${sqlString(duckTypeOfGlue(k.type))}`).join(', ')}}`
        : '';
      relation = `SELECT * FROM read_parquet([${(await this.files.paths(files)).map(sqlString).join(', ')}], union_by_name = true${hive})`;
    }
    await this.connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS ${relation}`);
  }
}
