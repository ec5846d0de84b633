/**
 * Checking API records against a declared record type: how many do not fit (and the first reason), and the fields the
 * type does not list. Done once, while a body is parsed anyway, and kept in the raw manifest so bronze can trust it.
 */
import { createHash } from 'node:crypto';
import { glueType, misfit, unlistedFields, type FieldType } from './field-types.ts';

/** Changes exactly when the declared type changes: a record check made under another type must be made again. */
export function typeHashOf(type: FieldType): string {
  return createHash('sha256').update(glueType(type)).digest('hex').slice(0, 8);
}

export interface RecordCheck {
  /** `typeHashOf` the type the records were checked against. */
  readonly type: string;
  readonly misfits: number;
  readonly firstProblem?: string;
  readonly unlisted: readonly string[];
}

/** Check records against a declared type: how many do not fit (the first reason), and the fields it does not list. */
export function checkRecords(records: Iterable<unknown>, type: FieldType): RecordCheck {
  let misfits = 0;
  let firstProblem: string | undefined;
  const unlisted = new Set<string>();
  for (const record of records) {
    const problem = misfit(record, type, false, '');
    if (problem) {
      misfits++;
      firstProblem ??= problem;
    }
    if (record && typeof record === 'object' && !Array.isArray(record)) for (const f of unlistedFields(record as Record<string, unknown>, type)) unlisted.add(f);
  }
  return { type: typeHashOf(type), misfits, ...(firstProblem !== undefined && { firstProblem }), unlisted: [...unlisted] };
}

/** One check of the records of several bodies checked one by one (in worker threads) against `type`. */
export function mergeRecordChecks(type: FieldType, checks: readonly RecordCheck[]): RecordCheck {
  const firstProblem = checks.find((c) => c.firstProblem !== undefined)?.firstProblem;
  return {
    type: typeHashOf(type),
    misfits: checks.reduce((n, c) => n + c.misfits, 0),
    ...(firstProblem !== undefined && { firstProblem }),
    unlisted: [...new Set(checks.flatMap((c) => c.unlisted))],
  };
}
