/**
 * Bronze: one typed Parquet file per raw partition, one row per API record, 1:1 with raw. Column types come from the
 * declared record type of the endpoint (`raw/schemas.gen.ts`, from the `cbbd` package's types), never inferred from a
 * file. A record that does not fit is quarantined under `deadletter/quarantine/` with the reason, not coerced; fields
 * the spec does not list are kept in raw and reported, not written.
 */
import { createHash } from 'node:crypto';
import { defineAsset, type AssetDefinition, type ColumnSpec } from '../../src/core/asset.ts';
import { PermanentError } from '../../src/core/errors.ts';
import type { PartitionsDef } from '../../src/core/partitions.ts';
import { jsonFilesToParquet, PathValueMismatchError, toParquet } from '../../src/lake/parquet.ts';
import { withLocalFiles } from '../../src/lake/local-files.ts';
import { fieldsOf, glueType, misfit, NULL_MISFIT, unlistedFields, withoutFields, type FieldType } from '../../src/lake/schema/field-types.ts';
import { rawPartitionPrefix } from '../../src/authoring/inputs.ts';
import { partitionKeysOf, partitionPath, partitionPrefix, partitionValues } from '../../src/lake/table-layout.ts';
import { readManifest, readStoredResponse, type RawManifest } from '../../src/authoring/raw/store.ts';
import type { ProjectResources } from '../resources.ts';
import { typeHashOf, type RecordCheck } from '../../src/lake/schema/record-check.ts';
import { recordTypeOf } from '../raw/record-types.ts';


export function columnsOf(type: FieldType): ColumnSpec[] {
  return fieldsOf(type).map((f) => ({ name: f.name, type: glueType(f.type), nullable: f.nullable }));
}

/**
 * The table a reader sees: the record's fields, except that a field named like one of the table's partition keys
 * (the API's `season`) is that key, with the key's type: it lives in the `season=` folder only, not in the files.
 */
export function bronzeColumns(type: FieldType, partitions: PartitionsDef): ColumnSpec[] {
  const columns = columnsOf(type);
  const keys = partitionKeysOf(partitions, columns);
  return columns.map((c) => keys.find((k) => k.name === c.name) ?? c);
}

/** Why a record disagrees with the partition's path (its season is another), or undefined when it agrees. */
function pathMismatch(record: unknown, values: Readonly<Record<string, number | string>>): string | undefined {
  if (!record || typeof record !== 'object') return undefined;
  for (const [name, value] of Object.entries(values)) {
    const own = (record as Record<string, unknown>)[name];
    if (own !== value) return `${name} is ${JSON.stringify(own)} but the record sits in ${name}=${value}; the path holds the table's ${name}`;
  }
  return undefined;
}

/** What the blocking check reads: records whose fields came with another type than declared. */
interface TypeDrift {
  readonly records: number;
  readonly first: string;
  readonly quarantinedIn: string;
}

/**
 * Whether a misfit is a field of another type (the API changed it: the whole partition fails) rather than a value
 * missing or a record in the wrong folder (that record alone is quarantined, the others written).
 */
function isTypeChange(problem: string): boolean {
  return !problem.endsWith(NULL_MISFIT) && !problem.includes(' but the record sits in ');
}

/** Why a record cannot be written to this partition, or undefined: it must fit the type and agree with the path. */
function problemOf(record: unknown, type: FieldType, values: Readonly<Record<string, number | string>>): string | undefined {
  return misfit(record, type, false, '') ?? pathMismatch(record, values);
}

async function goodRecords(resources: ProjectResources, source: string, parts: RawManifest['parts'], type: FieldType, values: Readonly<Record<string, number | string>>): Promise<unknown[]> {
  const good: unknown[] = [];
  for (const part of parts) for (const record of (await readStoredResponse(resources.storage, source, part)).data) if (!problemOf(record, type, values)) good.push(record);
  return good;
}

function bronzeAsset(resources: ProjectResources, raw: { key: string; partitions: PartitionsDef; description?: string }): AssetDefinition {
  const name = raw.key.slice('raw/'.length);
  const type = recordTypeOf(raw.key);
  const columns = bronzeColumns(type, raw.partitions);
  // The record fields the path holds: each record must agree with its folder, and the files leave them out.
  const keyFields = partitionKeysOf(raw.partitions, columns).map((k) => k.name).filter((name) => fieldsOf(type).some((f) => f.name === name));
  const fileType = withoutFields(type, keyFields);
  return defineAsset(
    {
      key: `bronze/${name}`,
      description: `Typed records of ${raw.key}, one row per API record, with the declared column types.`,
      deps: [raw.key],
      partitions: raw.partitions,
      // The declared types and what the files hold are part of the code: a schema change rebuilds every partition.
      // 2: the partition keys left the files (the path holds them).
      codeVersion: `2.${typeHashOf(fileType)}`,
      schema: { columns, primaryKey: [] },
      checks: [{
        name: 'records_fit_schema',
        blocking: false,
        description: 'Every API record fits the declared types; misfits are quarantined, not coerced.',
        run: ({ output }) => {
          const quarantined = output.quarantine?.records ?? 0;
          return { passed: quarantined === 0, ...(quarantined && { detail: `${quarantined} record(s) quarantined: ${output.quarantine?.firstProblem ?? 'no reason recorded'}` }) };
        },
      }, {
        name: 'field_types_unchanged',
        description: 'No field of an API record arrives with another type than declared (the API changed it): such a partition fails, its records quarantined, rather than be coerced.',
        run: ({ output }) => {
          const drift = output.metadata?.typeDrift as TypeDrift | undefined;
          if (!drift) return { passed: true };
          return {
            passed: false,
            detail: `the API changed a field's type: ${drift.records} record(s) quarantined in ${drift.quarantinedIn}, first: ${drift.first}. ` +
              `Nothing of the partition was written. If the API now sends this type, declare it (assets/raw/schemas.gen.ts, regenerated by scripts/generate-bronze-schemas.ts) and materialize again; the raw body is kept`,
          };
        },
      }],
    },
    async (ctx) => Promise.all(ctx.partitions.map(async (partition) => {
      const [input] = ctx.inputPartitions(raw.key, partition);
      const source = await rawPartitionPrefix(resources.storage, raw.key, input ?? partition);
      const manifest = await readManifest(resources.storage, source);
      if (!manifest) throw new PermanentError(`${source} has not been materialized: materialize ${raw.key} first (select "+bronze/${name}").`);
      const parts = manifest.parts.map((p) => `${source}/${p.name}`);
      // The raw fetch already checked every record against this declared type (the body was parsed then): trust it.
      // Otherwise check now, one part at a time, so a day of plays is parsed once and let go.
      const checked = manifest.checked as RecordCheck | undefined;
      const values = Object.fromEntries(Object.entries(partitionValues(partition)).filter(([name]) => keyFields.includes(name)));
      const quarantine: { reason: string; record: unknown }[] = [];
      const typeChanges: string[] = [];
      const unlisted = new Set<string>(checked?.type === typeHashOf(type) ? checked.unlisted : []);
      let rows = 0;
      // While every record fits (the usual case), DuckDB reads the stored parts themselves, and checks in the same
      // pass that each agrees with the path; otherwise only the good ones are written, the rest quarantined.
      let fast: Uint8Array | undefined;
      if (checked?.type === typeHashOf(type) && checked.misfits === 0) {
        try {
          fast = await withLocalFiles(resources.storage, parts, (paths) => jsonFilesToParquet(paths, type, { pathValues: values }));
          rows = manifest.records;
        } catch (error) {
          if (!(error instanceof PathValueMismatchError)) throw error;
        }
      }
      if (!fast) {
        for (const part of manifest.parts) {
          for (const record of (await readStoredResponse<Record<string, unknown>>(resources.storage, source, part)).data) {
            const problem = problemOf(record, type, values);
            if (problem) {
              quarantine.push({ reason: problem, record });
              if (isTypeChange(problem)) typeChanges.push(problem);
            } else rows++;
            if (record && typeof record === 'object') for (const f of unlistedFields(record, type)) unlisted.add(f);
          }
        }
      }
      if (unlisted.size) ctx.log.warn({ fields: [...unlisted], partition }, `source drift: ${raw.key} sent field(s) the spec does not list (${[...unlisted].join(', ')}); kept in raw, left out of bronze/${name}`);
      const body = fast ?? await (quarantine.length
        ? toParquet(await goodRecords(resources, source, manifest.parts, type, values), fileType)
        : withLocalFiles(resources.storage, parts, (paths) => jsonFilesToParquet(paths, type, { pathValues: values })));
      const path = partitionPath(partition);
      const prefix = partitionPrefix(`bronze/${name}`, partition);
      const quarantineKey = `deadletter/quarantine/${prefix}/records.json`;
      // Kept now, not on commit: a partition whose field types changed fails its check and is never committed, and
      // the records that made it fail must still be there to read.
      if (quarantine.length) await resources.storage.put(quarantineKey, JSON.stringify(quarantine, null, 2));
      const dataVersion = createHash('sha256').update(body).update(String(quarantine.length)).digest('hex').slice(0, 16);
      return {
        partition,
        dataVersion,
        rowCount: rows,
        bytes: body.byteLength,
        metadata: {
          prefix, source, rawVersion: manifest.dataVersion, ...(unlisted.size && { unlistedFields: [...unlisted] }),
          ...(typeChanges.length && { typeDrift: { records: typeChanges.length, first: typeChanges[0]!, quarantinedIn: quarantineKey } satisfies TypeDrift }),
        },
        tablePartitions: path ? [path] : [],
        quarantine: { records: quarantine.length, ...(quarantine[0] && { firstProblem: quarantine[0].reason }) },
        commit: async () => {
          await resources.storage.replacePartition(prefix, [{ name: 'part-0.parquet', body }]);
          if (!quarantine.length) await resources.storage.delete(quarantineKey);
        },
      };
    })),
  );
}

export function bronzeAssets(resources: ProjectResources, raw: readonly AssetDefinition[]): AssetDefinition[] {
  return raw.filter((a) => a.key.startsWith('raw/')).map((a) => bronzeAsset(resources, a));
}
