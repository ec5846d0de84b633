/**
 * SQL assets: a table declared as one SELECT over named inputs. Each input is a declared dependency, resolved per
 * partition through its partition mapping (`ctx.inputPartitions`) into a DuckDB view of exactly the partitions it
 * maps to, with its Hive keys typed as every reader types them (season INTEGER, date VARCHAR). The SQL reads the
 * partition's own keys with `getvariable('season')` and `getvariable('date')`. Before anything is written the result
 * is checked against the declared schema (names and types, as DuckDB describes it), the keys for nulls and
 * duplicates, and the asset's own SQL checks; the written Hive folders go to the catalog on commit.
 *
 *   defineSqlAsset(storage, {
 *     key: 'gold/team_season_summary', partitions: { kind: 'season' },
 *     inputs: { games: 'silver/fct_games', teams: 'silver/dim_teams' },
 *     sql: 'SELECT ... FROM games JOIN teams ...', schema: { columns: [...], primaryKey: ['teamId'] },
 *   }, upstreamSpecs)
 */
import { createHash } from 'node:crypto';
import { defineAsset, type AssetCheck, type ComputeContext, type AssetDefinition, type AssetSpec, type DependencySpec, type PartitionOutput, type TableSchema } from '../core/asset.ts';
import { DefinitionError } from '../core/errors.ts';
import type { PartitionMapping } from '../core/mappings.ts';
import { dateOfKey, seasonOfKey, type PartitionsDef } from '../core/partitions.ts';
import { sqlString } from '../lake/duckdb.ts';
import { partitionPrefix, tableLayout, type TableLayout } from '../lake/table-layout.ts';
import { catalogPartitions, TableWriter, type CachedInput, type TableInput, type WrittenTable } from './table-writer.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';

export interface SqlInput {
  readonly key: string;
  /** Defaults to what the two partition definitions suggest. */
  readonly mapping?: PartitionMapping;
  /** See `DependencySpec.affectsStaleness`. */
  readonly affectsStaleness?: boolean;
}

/** A check written as SQL over the result `out` (and the inputs): one row `(passed BOOLEAN, detail VARCHAR)`. */
export interface SqlCheck {
  readonly name: string;
  readonly description: string;
  /** Default true: a failed blocking check keeps the partition from being committed. */
  readonly blocking?: boolean;
  readonly sql: string;
}

export interface SqlAssetSpec {
  readonly key: string;
  readonly description: string;
  readonly partitions: PartitionsDef;
  /** View name in the SQL -> the dependency it reads. */
  readonly inputs: Readonly<Record<string, string | SqlInput>>;
  readonly sql: string;
  /** Declared columns, partition keys included (`season`, `date`): their values come from the path. */
  readonly schema: TableSchema;
  readonly checks?: readonly SqlCheck[];
  /** Contiguous partitions computed in one step (through one DuckDB connection). */
  readonly batch?: { readonly maxPartitions: number };
  /**
   * The SQL is partition-local: a row of a game day depends only on that day's input rows (plays of the day's games),
   * it returns each row's `date`, and it reads no `getvariable('date')`. Up to this many game days of a step are then
   * computed by one query over their inputs together, and written one partition at a time: a season of small days
   * costs a few large queries instead of a hundred small ones. Inputs must map every day of a chunk either to itself
   * (identity) or to the same partitions (a season table).
   */
  readonly chunk?: number;
  /**
   * The same table for every partition of a step at once, for a season×date asset whose days read many input days
   * (`earlier_dates`): a SELECT over the union of what the step's days read and the view `step_partitions(season,
   * date)`, returning each row's `date`. It must give exactly what `sql` gives day by day (its test says so), with
   * order-independent arithmetic (integers, decimals), so a night of one day writes the bytes a backfill writes.
   */
  readonly stepSql?: string;
  readonly preview?: AssetSpec['preview'];
}

/** The automatic check of every SQL asset: GOLD.md's "keys unique and not null". */
export const KEYS_CHECK = 'keys_unique_not_null';

export function defineSqlAsset(storage: ObjectStorage, spec: SqlAssetSpec, upstream: (key: string) => AssetSpec | undefined): AssetDefinition {
  const inputs = Object.entries(spec.inputs).map(([name, input]) => ({ name, ...(typeof input === 'string' ? { key: input } : input) }));
  const layouts = new Map<string, TableLayout>();
  for (const input of inputs) {
    const up = upstream(input.key);
    if (!up) throw new DefinitionError(`${spec.key}: input "${input.name}" reads ${input.key}, which is not declared before it; declare it first or fix the key.`);
    layouts.set(input.key, tableLayout(up));
  }
  const deps: DependencySpec[] = [...new Map(inputs.map((i) => [i.key, {
    key: i.key, ...(i.mapping && { mapping: i.mapping }), ...(i.affectsStaleness === false && { affectsStaleness: false }),
  }])).values()];
  const layout = tableLayout(spec);
  // Keys unique within the partition: the partition's own keys (season, date) are the same on every row of it.
  const pathKeys = new Set(layout.partitionKeys.map((k) => k.name));
  const rowKey = spec.schema.primaryKey.filter((k) => !pathKeys.has(k));
  const probes = Object.fromEntries((spec.checks ?? []).map((c) => [c.name, c.sql]));
  const codeVersion = `sql.${createHash('sha256').update(JSON.stringify([spec.sql, spec.stepSql ?? '', spec.schema, spec.checks ?? [], deps])).digest('hex').slice(0, 10)}`;
  const checks: AssetCheck[] = [
    {
      name: KEYS_CHECK,
      description: `Every row has its key (${spec.schema.primaryKey.join(', ')}) and no key appears twice.`,
      run: ({ output }) => {
        const problems = (output.metadata?.keyProblems ?? { nullKeys: 0, duplicateKeys: 0 }) as WrittenTable['keyProblems'];
        const passed = problems.nullKeys === 0 && problems.duplicateKeys === 0;
        return { passed, ...(!passed && { detail: `${problems.nullKeys} row(s) without a key, ${problems.duplicateKeys} duplicate key(s)` }) };
      },
    },
    ...(spec.checks ?? []).map((c): AssetCheck => ({
      name: c.name,
      description: c.description,
      ...(c.blocking === false && { blocking: false }),
      sql: { query: c.sql, inputs: Object.fromEntries(inputs.map((i) => [i.name, i.key])) },
      run: ({ output }) => {
        const outcome = (output.metadata?.checks as Record<string, { passed: boolean; detail?: string }> | undefined)?.[c.name];
        return outcome ?? { passed: false, detail: 'the check did not run' };
      },
    })),
  ];
  return defineAsset(
    {
      key: spec.key,
      description: spec.description,
      deps,
      partitions: spec.partitions,
      codeVersion,
      schema: spec.schema,
      checks,
      ...(spec.batch && { batch: spec.batch }),
      ...(spec.preview && { preview: spec.preview }),
    },
    async (ctx) => {
      const writer = await TableWriter.open(storage);
      const files = new InputFiles(storage);
      try {
        const outputs: PartitionOutput[] = [];
        const reads = spec.chunk || spec.stepSql ? undefined : await stepReads(writer, files, inputs, layouts, ctx);
        let chunk: Set<string> | undefined;
        let chunkWritten: Map<string, WrittenTable> | undefined;
        // A chunk's days are written with one COPY when no SQL check needs each day's result on its own.
        const writeChunks = (spec.chunk || spec.stepSql) && !Object.keys(probes).length;
        for (const [index, partition] of ctx.partitions.entries()) {
          if (ctx.signal.aborted) break;
          const relations: Record<string, TableInput | CachedInput> = {};
          const newChunk = !chunk?.has(partition);
          if (spec.stepSql && !chunk?.has(partition)) {
            // A step is one season (batches never cross one): its days and everything they read, computed at once.
            chunk = new Set(ctx.partitions.filter((p) => seasonOfKey(p) === seasonOfKey(partition)));
            const union: Record<string, TableInput> = {};
            for (const input of inputs) {
              union[input.name] = { files: await files.of(input.key, [...new Set([...chunk].flatMap((p) => ctx.inputPartitions(input.key, p)))]), layout: layouts.get(input.key)! };
            }
            const days = [...chunk].map((p) => `(${seasonOfKey(p)}, ${sqlString(dateOfKey(p) ?? '')})`).join(', ');
            await writer.cacheQuery('chunk', spec.stepSql, union, `${seasonOfKey(partition)}::VARCHAR || '|' || date`, {
              step_partitions: `SELECT season::INTEGER AS season, date::VARCHAR AS date FROM (VALUES ${days}) v(season, date)`,
            });
          }
          if (spec.chunk && !chunk?.has(partition)) {
            chunk = new Set(ctx.partitions.slice(index, index + spec.chunk));
            await writer.cacheQuery('chunk', spec.sql, await chunkInputs(files, inputs, layouts, ctx, [...chunk], spec.key), `${seasonOfKey(partition)}::VARCHAR || '|' || date`);
          }
          if (writeChunks) {
            if (newChunk) chunkWritten = await writer.writeCached('chunk', [...chunk!].map((p) => ({ partition: p, prefix: partitionPrefix(spec.key, p), date: dateOfKey(p)! })), rowKey, layout);
            outputs.push(tableOutput(partition, chunkWritten!.get(partition)!));
            continue;
          }
          if (spec.chunk || spec.stepSql) {
            relations.chunk = { cached: 'chunk', partitions: [partition] };
          } else {
            for (const input of inputs) relations[input.name] = await reads!.get(input.name)!(partition);
          }
          const season = seasonOfKey(partition);
          const date = dateOfKey(partition);
          const written = await writer.write({
            prefix: partitionPrefix(spec.key, partition),
            inputs: relations,
            sql: spec.chunk || spec.stepSql ? 'SELECT * FROM chunk' : spec.sql,
            key: rowKey,
            layout,
            variables: { ...(season !== undefined && { season }), ...(date !== undefined && { date }) },
            checkTypes: true,
            materialize: true,
            reportKeyProblems: true,
            probes,
          });
          outputs.push(tableOutput(partition, written));
        }
        return outputs;
      } finally {
        await writer.close();
      }
    },
  );
}

/** The inputs of a chunk of game days, each the union of what the days map to (checked to be partition-local). */
async function chunkInputs(
  files: InputFiles, inputs: readonly { name: string; key: string; mapping?: PartitionMapping }[], layouts: ReadonlyMap<string, TableLayout>,
  ctx: Pick<ComputeContext, 'inputPartitions'>, partitions: readonly string[], asset: string,
): Promise<Record<string, TableInput>> {
  const out: Record<string, TableInput> = {};
  for (const input of inputs) {
    const each = partitions.map((p) => ctx.inputPartitions(input.key, p));
    const local = each.every((parts) => parts.length === 1 && parts[0] === partitions[each.indexOf(parts)])
      || each.every((parts) => parts.join() === each[0]!.join());
    if (!local) throw new DefinitionError(`${asset}: input "${input.name}" (${input.key}) is not read day by day, so the asset cannot compute several days in one query; remove "chunk" from its declaration.`);
    out[input.name] = { files: await files.of(input.key, [...new Set(each.flat())]), layout: layouts.get(input.key)! };
  }
  return out;
}

/**
 * How each input is read for each partition of a step: straight from its files, or, when the step's partitions read
 * the same input partitions more than once (earlier game days), from a table loaded once for the step.
 */
async function stepReads(
  writer: TableWriter, files: InputFiles, inputs: readonly { name: string; key: string }[], layouts: ReadonlyMap<string, TableLayout>,
  ctx: Pick<ComputeContext, 'partitions' | 'inputPartitions'>,
): Promise<Map<string, (partition: string) => Promise<TableInput | CachedInput>>> {
  const reads = new Map<string, (partition: string) => Promise<TableInput | CachedInput>>();
  for (const input of inputs) {
    const layout = layouts.get(input.key)!;
    const each = ctx.partitions.map((p) => ctx.inputPartitions(input.key, p));
    const union = new Set(each.flat());
    if (each.reduce((n, parts) => n + parts.length, 0) > union.size) {
      await writer.cache(input.name, { files: await files.of(input.key, [...union]), layout });
      reads.set(input.name, async (p) => ({ cached: input.name, partitions: ctx.inputPartitions(input.key, p) }));
    } else {
      reads.set(input.name, async (p) => ({ files: await files.of(input.key, ctx.inputPartitions(input.key, p)), layout }));
    }
  }
  return reads;
}

/** The output of one written table partition, with what its checks read. */
export function tableOutput(partition: string, written: WrittenTable, metadata: Readonly<Record<string, unknown>> = {}): PartitionOutput {
  return {
    partition,
    dataVersion: written.dataVersion,
    rowCount: written.rows,
    bytes: written.bytes,
    metadata: { files: written.files, keyProblems: written.keyProblems, checks: written.probes, ...metadata },
    tablePartitions: catalogPartitions(partition, written),
    commit: written.commit,
  };
}

/**
 * The Parquet files of input partitions, listed once per table and season for a whole step: a step of a season's
 * rating dates reads every earlier game day again and again, which would otherwise be a listing per day per date.
 * No file at all is an empty input (the view has no rows: the first game day has no earlier days), not an error.
 */
export class InputFiles {
  private readonly listings = new Map<string, Promise<Map<string, string[]>>>();

  constructor(private readonly storage: ObjectStorage) {}

  async of(table: string, partitions: readonly string[]): Promise<string[]> {
    const files: string[] = [];
    for (const partition of partitions) {
      const season = seasonOfKey(partition);
      const scope = partitionPrefix(table, season === undefined ? partition : String(season));
      let listing = this.listings.get(scope);
      if (!listing) this.listings.set(scope, (listing = this.list(scope)));
      const prefix = `${partitionPrefix(table, partition)}/`;
      for (const [folder, names] of await listing) if (folder.startsWith(prefix) || `${folder}/` === prefix) files.push(...names);
    }
    return files;
  }

  /** The Parquet files under a prefix, by the folder that holds them. */
  private async list(scope: string): Promise<Map<string, string[]>> {
    const byFolder = new Map<string, string[]>();
    for (const key of (await this.storage.list(`${scope}/`)).filter((k) => k.endsWith('.parquet')).sort()) {
      const folder = key.slice(0, key.lastIndexOf('/'));
      let names = byFolder.get(folder);
      if (!names) byFolder.set(folder, (names = []));
      names.push(key);
    }
    return byFolder;
  }
}
