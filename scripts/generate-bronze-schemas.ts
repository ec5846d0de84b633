/**
 * Generates `assets/raw/schemas.gen.ts`: the declared column types of every bronze table, derived from the
 * response types of the official `cbbd` package (its `types.gen.d.ts`), read with the TypeScript compiler.
 * TypeScript has one `number`; whether a field is an integer is decided by its name (counts, ids, points, seasons
 * are integers; percentages, ratings and rates are doubles) unless the API's published OpenAPI spec
 * (../shared/cbbd-openapi.json, read where it is, when present) says `integer` or `number` for that field: a field the
 * API may send as a fraction is a double. `test/lake/bronze-schemas.test.ts` checks the result against the spec.
 * Run: npx tsx scripts/generate-bronze-schemas.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { ENDPOINTS } from '../src/cbbd/endpoints.ts';

const require = createRequire(import.meta.url);
const typesFile = join(dirname(require.resolve('cbbd/package.json')), 'dist', 'types.gen.d.ts');
const program = ts.createProgram([typesFile], { strict: true });
const checker = program.getTypeChecker();
const source = program.getSourceFile(typesFile)!;
const aliases = new Map<string, ts.Type>();
ts.forEachChild(source, (node) => {
  if (ts.isTypeAliasDeclaration(node)) aliases.set(node.name.text, checker.getTypeAtLocation(node.name));
});

interface SpecSchema { type?: string; format?: string; $ref?: string; items?: SpecSchema; properties?: Record<string, SpecSchema>; allOf?: SpecSchema[] }
const specFile = join(import.meta.dirname, '..', '..', 'shared', 'cbbd-openapi.json');
const spec = existsSync(specFile)
  ? (JSON.parse(readFileSync(specFile, 'utf8')) as { paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: SpecSchema }> }> } }>; components: { schemas: Record<string, SpecSchema> } })
  : undefined;
function deref(s: SpecSchema | undefined): SpecSchema | undefined {
  if (!s) return undefined;
  if (s.$ref) return deref(spec!.components.schemas[s.$ref.split('/').at(-1)!]);
  if (s.allOf?.length === 1) return deref(s.allOf[0]);
  if (s.allOf) return { type: 'object', properties: Object.assign({}, ...s.allOf.map((x) => deref(x)?.properties)) };
  return s;
}

const DOUBLE = /(pct|percent|rate|rating|ratio|pace|average|avg|share|excitement|spread|overUnder|elo|srs|score$|^value$|latitude|longitude|winProbability|usage|plusMinus|porpag|winShares|efficiency|net$|offense$|defense$|tempo|ppp|gameScore|trueShooting|fourFactors|weight$|height$|margin|factor|index|value|distance|x$|y$)/i;
const INTEGER = /(^id$|Id$|Ids$|^season$|^year$|^week$|^rank|Rank$|ranking|^points$|Points$|points|made$|attempted$|attempts$|^total$|total$|games|wins$|losses$|seed|period|seconds|minutes|count|number|pick$|^round$|overall|attendance|assists|blocks|steals|turnovers|fouls|rebounds|offensive$|defensive$|possessions|stars|jersey|capacity|elevation|starts|firstPlaceVotes|^position$|technical|flagrant|teamTotal|^team$|fastBreak|offTurnovers|inPaint|assisted|trackedShots|conferenceId|ties|homeScore|awayScore|moneyline|Moneyline|clock|shotClock|homeWins|awayWins|^from$|^to$|scoringPlay|^age$|grade|yearsLeft|^class)/i;

function numberKind(name: string): 'int' | 'double' {
  if (/(moneyline|Moneyline)/.test(name)) return 'int';
  if (DOUBLE.test(name) && !/(Id$|^id$|^rank|Rank$)/.test(name)) return 'double';
  return INTEGER.test(name) ? 'int' : 'double';
}

const TIMESTAMP = /(^startDate$|^date$|Date$|^startTime$|Time$|^wallclock$|^pollDate$|^lastUpdated$|At$)/;

function render(type: ts.Type, name: string, depth: number, hint?: SpecSchema): { expr: string; nullable: boolean } {
  hint = deref(hint);
  let nullable = false;
  let parts = type.isUnion() ? type.types : [type];
  if (parts.some((p) => p.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined))) {
    nullable = true;
    parts = parts.filter((p) => !(p.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
  }
  const [first] = parts;
  if (!first) return { expr: 't.string', nullable: true };
  if (parts.every((p) => p.flags & (ts.TypeFlags.StringLike))) {
    const timestamp = hint ? hint.format === 'date-time' : TIMESTAMP.test(name);
    return { expr: timestamp ? 't.timestamp' : 't.string', nullable };
  }
  if (parts.every((p) => p.flags & ts.TypeFlags.BooleanLike)) return { expr: 't.boolean', nullable };
  if (parts.every((p) => p.flags & ts.TypeFlags.NumberLike)) {
    let kind: string = hint?.type === 'integer' ? 'int' : hint?.type === 'number' ? 'double' : numberKind(name);
    // Identifiers grow past 32 bits (play ids already do): every id is a 64-bit integer.
    if (kind === 'int' && (/(^id$|Id$)/.test(name) || hint?.format === 'int64')) kind = 'bigint';
    return { expr: `t.${kind}`, nullable };
  }
  if (parts.length === 1 && checker.isArrayType(first)) {
    const element = checker.getTypeArguments(first as ts.TypeReference)[0]!;
    // Elements of a list of numbers take the list's name (`homePeriodPoints` holds integers).
    return { expr: `t.array(${render(element, name, depth, hint?.items).expr})`, nullable };
  }
  if (parts.length === 1 && (first.flags & ts.TypeFlags.Object || first.isIntersection())) return { expr: struct(first, depth, hint), nullable };
  throw new Error(`${name}: cannot map ${checker.typeToString(type)} to a column type`);
}

function struct(type: ts.Type, depth: number, hint?: SpecSchema): string {
  const properties = deref(hint)?.properties;
  const pad = '  '.repeat(depth + 1);
  const fields = checker.getPropertiesOfType(type).map((symbol) => {
    const fieldType = checker.getTypeOfSymbol(symbol);
    const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
    const { expr, nullable } = render(fieldType, symbol.name, depth + 1, properties?.[symbol.name]);
    return `${pad}[${JSON.stringify(symbol.name)}, ${expr}${nullable || optional ? ', true' : ''}],`;
  });
  return `t.struct([\n${fields.join('\n')}\n${'  '.repeat(depth)}])`;
}

const tables: string[] = [];
for (const [fn, info] of Object.entries(ENDPOINTS).sort(([a], [b]) => a.localeCompare(b))) {
  const response = aliases.get(`G${fn.slice(1)}Response`);
  if (!response) throw new Error(`no response type for ${fn}`);
  if (!checker.isArrayType(response)) throw new Error(`${fn} does not answer a list`);
  const element = checker.getTypeArguments(response as ts.TypeReference)[0]!;
  const specList = deref(spec?.paths[info.path]?.get?.responses['200']?.content?.['application/json']?.schema);
  tables.push(`  /** ${info.path} (${fn}) */\n  ${fn}: ${struct(element, 1, specList?.items)},`);
}

const out = `/**
 * GENERATED by scripts/generate-bronze-schemas.ts from the \`cbbd\` package's response types: do not edit by hand.
 * One declared record type per endpoint function; a bronze table's columns are its fields.
 */
import { t, type FieldType } from '../../src/lake/schema/field-types.ts';
import type { ENDPOINTS } from '../../src/cbbd/endpoints.ts';

export const RECORD_TYPES: Readonly<Record<keyof typeof ENDPOINTS, FieldType>> = {
${tables.join('\n')}
};
`;
const target = join(import.meta.dirname, '..', 'assets', 'raw', 'schemas.gen.ts');
writeFileSync(target, out);
console.log(`wrote ${target}: ${tables.length} record types`);
