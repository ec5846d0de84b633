/**
 * One read-only SELECT over one catalogued table, through the same locked-down paths `cbbd query` uses: locally the
 * read-only DuckDB of `duckdb.ts` (only that table's layer readable, configuration locked), with Glue the Athena
 * workgroup after DuckDB's parser has read the text as one SELECT. Callers build their SQL from validated parts and
 * are told how the table is named on each side (`"gold"."team_power_rankings"` or `cbbd_gold.team_power_rankings`).
 */
import type { AwsSettings } from '../aws.ts';
import type { CatalogTable } from '../catalog/catalog.ts';
import { quoteIdent } from '../schema/field-types.ts';
import { runAthenaQuery } from './athena.ts';
import { assertOneSelect, runReadOnlyQuery, type QueryResult } from './duckdb.ts';

/** Runs `sql(relation)`, where `relation` is how the engine names `table`. */
export interface TableQuery {
  readonly engine: 'duckdb' | 'athena';
  run(table: CatalogTable, sql: (relation: string) => string): Promise<QueryResult>;
}

/** The local lakehouse at `root`, read by a read-only DuckDB that sees only the table's layer. */
export function localTableQuery(root: string): TableQuery {
  return {
    engine: 'duckdb',
    run: (table, sql) => {
      const [layer, name] = table.key.split('/') as [string, string];
      return runReadOnlyQuery(root, [table], sql(`${quoteIdent(layer)}.${quoteIdent(name)}`));
    },
  };
}

/** The Glue tables on Athena (`cbbd_gold.team_power_rankings`), results under `outputLocation`. */
export function athenaTableQuery(settings: AwsSettings, options: { workgroup: string; outputLocation: string }): TableQuery {
  return {
    engine: 'athena',
    run: async (table, sql) => {
      const [layer, name] = table.key.split('/') as [string, string];
      const statement = sql(`${quoteIdent(`cbbd_${layer}`)}.${quoteIdent(name)}`);
      await assertOneSelect(statement);
      const { columns, rows } = await runAthenaQuery(settings, { sql: statement, ...options });
      return { columns, rows };
    },
  };
}
