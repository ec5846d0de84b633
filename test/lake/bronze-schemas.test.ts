/**
 * The declared bronze record types against the API's published OpenAPI spec (../shared/cbbd-openapi.json, read in
 * place, never copied): wherever the spec describes a field, an integer must be declared an integer, a number a
 * double, a date-time a timestamp. The spec is an older version than the package: fields it lacks are not checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECORD_TYPES } from '../../assets/raw/schemas.gen.ts';
import { ENDPOINTS } from '../../src/cbbd/endpoints.ts';
import type { FieldType } from '../../src/lake/schema/field-types.ts';

const SPEC = resolve('../shared/cbbd-openapi.json');
if (!existsSync(SPEC)) console.warn(`\n!!! bronze record types NOT checked against the published spec: ${SPEC} is missing (it is in ../shared beside the project).\n`);

interface SpecSchema { type?: string; format?: string; $ref?: string; items?: SpecSchema; properties?: Record<string, SpecSchema>; allOf?: SpecSchema[]; nullable?: boolean; enum?: unknown[] }

describe.skipIf(!existsSync(SPEC))('bronze record types', () => {
  const spec = existsSync(SPEC) ? JSON.parse(readFileSync(SPEC, 'utf8')) as { paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: SpecSchema }> }> } }>; components: { schemas: Record<string, SpecSchema> } } : undefined;
  const deref = (s: SpecSchema): SpecSchema => {
    if (s.$ref) return deref(spec!.components.schemas[s.$ref.split('/').at(-1)!]!);
    if (s.allOf?.length === 1) return deref(s.allOf[0]!);
    if (s.allOf) return { type: 'object', properties: Object.assign({}, ...s.allOf.map((x) => deref(x).properties)) };
    return s;
  };
  const compare = (s: SpecSchema, declared: FieldType, path: string, out: string[]) => {
    const d = deref(s);
    if (d.enum) return;
    if (d.type === 'integer' && declared.kind !== 'int' && declared.kind !== 'bigint') out.push(`${path}: spec integer, declared ${declared.kind}`);
    if (d.type === 'number' && declared.kind !== 'double') out.push(`${path}: spec number, declared ${declared.kind}`);
    if (d.type === 'string' && d.format === 'date-time' && declared.kind !== 'timestamp') out.push(`${path}: spec date-time, declared ${declared.kind}`);
    if (d.type === 'string' && d.format !== 'date-time' && (declared.kind === 'timestamp')) out.push(`${path}: spec plain string, declared timestamp`);
    if (d.type === 'array' && d.items && declared.kind === 'array') compare(d.items, declared.of, `${path}[]`, out);
    if (d.properties && declared.kind === 'struct') {
      for (const f of declared.fields) if (d.properties[f.name]) compare(d.properties[f.name]!, f.type, `${path}.${f.name}`, out);
    }
  };

  it('agree with the spec on every field the spec describes', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [fn, info] of Object.entries(ENDPOINTS)) {
      const schema = spec!.paths[info.path]?.get?.responses['200']?.content?.['application/json']?.schema;
      if (!schema) continue;
      checked++;
      compare(schema, { kind: 'array', of: RECORD_TYPES[fn as keyof typeof ENDPOINTS] }, info.path, problems);
    }
    expect(checked).toBeGreaterThan(25);
    expect(problems).toEqual([]);
  });
});
