/**
 * Flattening a bronze record type into silver columns: nested objects become typed columns with `_`-joined names
 * (`teamStats.fieldGoals.made` -> `teamStats_fieldGoals_made`); lists stay lists. Each column carries the DuckDB
 * expression that reads it from a bronze row (or from one element of an unnested list).
 */
import { sqlString } from '../../src/lake/duckdb.ts';
import { quoteIdent, type Field, type FieldType } from '../../src/lake/schema/field-types.ts';

export interface FlatColumn {
  readonly name: string;
  readonly type: FieldType;
  readonly nullable: boolean;
  readonly expr: string;
}

/** One field of a struct-valued expression. */
export function structField(base: string, field: string): string {
  return `struct_extract(${base}, ${sqlString(field)})`;
}

export function flatten(fields: readonly Field[], base: (field: string) => string, prefix = '', nullable = false): FlatColumn[] {
  return fields.flatMap((f) => {
    const name = prefix ? `${prefix}_${f.name}` : f.name;
    const expr = base(f.name);
    if (f.type.kind === 'struct') return flatten(f.type.fields, (inner) => structField(expr, inner), name, nullable || f.nullable);
    return [{ name, type: f.type, nullable: nullable || f.nullable, expr }];
  });
}

/** The columns of a bronze row (`row` is a relation alias), flattened. */
export function flattenRow(fields: readonly Field[]): FlatColumn[] {
  return flatten(fields, (f) => quoteIdent(f));
}
