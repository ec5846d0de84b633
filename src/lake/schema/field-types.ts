/**
 * Declared column types of the lakehouse tables, as data: rendered to Glue's spelling for the catalog, to DuckDB's
 * for writing Parquet, and used to check each API record before it is written, so a record that does not fit is
 * quarantined with a reason instead of being coerced. `t` is the small vocabulary the generated schemas use.
 */
export type Primitive = 'int' | 'bigint' | 'double' | 'string' | 'boolean' | 'timestamp' | 'date';

export type FieldType =
  | { readonly kind: Primitive }
  | { readonly kind: 'array'; readonly of: FieldType }
  | { readonly kind: 'struct'; readonly fields: readonly Field[] };

export interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly nullable: boolean;
}

const primitive = (kind: Primitive): FieldType => ({ kind });

/** `struct({ id: t.int, name: t.string.nullable })`-style builders for generated and hand-written schemas. */
export const t = {
  int: primitive('int'), bigint: primitive('bigint'), double: primitive('double'), string: primitive('string'),
  boolean: primitive('boolean'), timestamp: primitive('timestamp'), date: primitive('date'),
  array: (of: FieldType): FieldType => ({ kind: 'array', of }),
  /** Fields as `[name, type, nullable]`. */
  struct: (fields: readonly (readonly [string, FieldType, boolean?])[]): FieldType => ({ kind: 'struct', fields: fields.map(([name, type, nullable]) => ({ name, type, nullable: nullable ?? false })) }),
};

export function fieldsOf(type: FieldType): readonly Field[] {
  if (type.kind !== 'struct') throw new Error('a table schema is a struct of columns');
  return type.fields;
}

/** A table type without some of its columns (those a partition's path holds). */
export function withoutFields(type: FieldType, names: readonly string[]): FieldType {
  if (!names.length) return type;
  return { kind: 'struct', fields: fieldsOf(type).filter((f) => !names.includes(f.name)) };
}

const GLUE: Record<Primitive, string> = { int: 'int', bigint: 'bigint', double: 'double', string: 'string', boolean: 'boolean', timestamp: 'timestamp', date: 'date' };
const DUCK: Record<Primitive, string> = { int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', date: 'DATE' };

/** Glue/Hive spelling, e.g. `struct<made:int,attempted:int>`. */
export function glueType(type: FieldType): string {
  if (type.kind === 'array') return `array<${glueType(type.of)}>`;
  if (type.kind === 'struct') return `struct<${type.fields.map((f) => `${f.name.toLowerCase()}:${glueType(f.type)}`).join(',')}>`;
  return GLUE[type.kind];
}

/** DuckDB spelling, e.g. `STRUCT("made" INTEGER, "attempted" INTEGER)`. */
export function duckType(type: FieldType): string {
  if (type.kind === 'array') return `${duckType(type.of)}[]`;
  if (type.kind === 'struct') return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${duckType(f.type)}`).join(', ')})`;
  return DUCK[type.kind];
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const INT32 = 2 ** 31;
/** The end of a misfit that is a missing (or null) value of a field declared never null. */
export const NULL_MISFIT = 'is null but the schema says it never is';
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Why a value does not fit its declared type (with the path to the offending field), or undefined when it fits.
 * Fields the declaration does not list are not a misfit: they are reported apart (see `unlistedFields`).
 * Hot: it runs on every field of every record (two million plays a season), so a fitting value allocates nothing;
 * the path is put together only on the way back from a misfit.
 */
export function misfit(value: unknown, type: FieldType, nullable: boolean, path: string): string | undefined {
  const miss = check(value, type, nullable);
  if (!miss) return undefined;
  const where = `${path}${miss.path.reverse().join('')}`.replace(/^\./, '');
  return `${where} ${miss.problem}`;
}

interface Found {
  /** Path segments from the offending value up (`.made`, `[1]`), reversed at the end. */
  readonly path: string[];
  readonly problem: string;
}

function found(problem: string): Found {
  return { path: [], problem };
}

function check(value: unknown, type: FieldType, nullable: boolean): Found | undefined {
  if (value === null || value === undefined) return nullable ? undefined : found(NULL_MISFIT);
  switch (type.kind) {
    case 'int':
    case 'bigint':
      if (typeof value !== 'number' || !Number.isInteger(value)) return found(`should be an integer, got ${JSON.stringify(value)}`);
      if (type.kind === 'int' && (value >= INT32 || value < -INT32)) return found(`${value} does not fit a 32-bit integer`);
      return undefined;
    case 'double':
      return typeof value === 'number' ? undefined : found(`should be a number, got ${JSON.stringify(value)}`);
    case 'string':
      return typeof value === 'string' ? undefined : found(`should be a string, got ${JSON.stringify(value)}`);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : found(`should be true or false, got ${JSON.stringify(value)}`);
    case 'timestamp':
      return typeof value === 'string' && ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : found(`should be an ISO timestamp, got ${JSON.stringify(value)}`);
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) ? undefined : found(`should be an ISO date, got ${JSON.stringify(value)}`);
    case 'array': {
      if (!Array.isArray(value)) return found(`should be a list, got ${typeof value}`);
      for (let i = 0; i < value.length; i++) {
        const inner = check(value[i], type.of, true);
        if (inner) {
          inner.path.push(`[${i}]`);
          return inner;
        }
      }
      return undefined;
    }
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return found(`should be an object, got ${Array.isArray(value) ? 'a list' : typeof value}`);
      const record = value as Record<string, unknown>;
      for (const f of type.fields) {
        const inner = check(record[f.name], f.type, f.nullable);
        if (inner) {
          inner.path.push(`.${f.name}`);
          return inner;
        }
      }
      return undefined;
    }
  }
}

const knownNames = new WeakMap<FieldType, ReadonlySet<string>>();

/** Top-level keys of a record the declaration does not list (the API sends a few its spec does not). */
export function unlistedFields(record: Record<string, unknown>, type: FieldType): string[] {
  let known = knownNames.get(type);
  if (!known) knownNames.set(type, (known = new Set(fieldsOf(type).map((f) => f.name))));
  const out: string[] = [];
  for (const k in record) if (!known.has(k)) out.push(k);
  return out;
}
