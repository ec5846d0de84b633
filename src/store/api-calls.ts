/**
 * The ledger of source API calls in the run log: every call with its endpoint, the asset it was for, its status and
 * the `X-CallLimit-Remaining` figure it carried. `cbbd quota`, the page's panel and the budget check before a run
 * read it; our own records are the only count of calls per endpoint, since the API reports a total only.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Statements } from './_statements.ts';
import type { RunLogDatabase } from './schema.ts';
import type { ApiCallUsage } from '../core/budget/quota.ts';

export interface ApiCallInput {
  readonly source: string;
  readonly endpoint: string;
  readonly asset: string | null;
  readonly status: number | null;
  readonly remaining: number | null;
  /** The run the call was made for, if any. */
  readonly runId?: string | null;
}

export type { ApiCallUsage };

export function insertApiCall(statements: Statements, kysely: Kysely<RunLogDatabase>, call: ApiCallInput, at: number): void {
  const { runId, ...rest } = call;
  statements.run(kysely.insertInto('api_calls').values({ at, ...rest, run_id: runId ?? null }));
}

export function readApiCallUsage(
  statements: Statements, kysely: Kysely<RunLogDatabase>, source: string, monthStart: number, dayStart: number,
): ApiCallUsage {
  const rows = statements.all(kysely.selectFrom('api_calls')
    .select(['endpoint', sql<number>`count(*)`.as('month'), sql<number>`sum(at >= ${dayStart})`.as('today'), sql<number>`min(at)`.as('first')])
    .where('source', '=', source).where('at', '>=', monthStart)
    .groupBy('endpoint').orderBy('endpoint'));
  const last = statements.get(kysely.selectFrom('api_calls').select(['remaining', 'at'])
    .where('source', '=', source).where('remaining', 'is not', null)
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(1));
  return {
    endpoints: rows.map((r) => ({ endpoint: r.endpoint, month: Number(r.month), today: Number(r.today ?? 0) })),
    firstCallAt: rows.length ? Math.min(...rows.map((r) => Number(r.first))) : null,
    lastFigure: last && last.remaining !== null ? { remaining: last.remaining, at: last.at } : null,
  };
}

/** Calls per endpoint and asset made between two times (a run's span), with how many got no 2xx answer. */
export interface ApiCallsInSpan {
  readonly endpoint: string;
  readonly asset: string | null;
  readonly calls: number;
  readonly failed: number;
}

export function readApiCallsBetween(statements: Statements, kysely: Kysely<RunLogDatabase>, from: number, to: number): ApiCallsInSpan[] {
  const rows = statements.all(kysely.selectFrom('api_calls')
    .select(['endpoint', 'asset', sql<number>`count(*)`.as('calls'), sql<number>`sum(status IS NULL OR status >= 300)`.as('failed')])
    .where('at', '>=', from).where('at', '<=', to)
    .groupBy(['endpoint', 'asset']).orderBy('endpoint'));
  return rows.map((r) => ({ endpoint: r.endpoint, asset: r.asset, calls: Number(r.calls), failed: Number(r.failed ?? 0) }));
}

/**
 * Calls per endpoint and asset recorded for one run, or undefined when none carries the run's id (a run from before
 * migration 0005, or one that made no call): the caller then falls back to the run's time span.
 */
export function readApiCallsOfRun(statements: Statements, kysely: Kysely<RunLogDatabase>, runId: string): ApiCallsInSpan[] | undefined {
  const rows = statements.all(kysely.selectFrom('api_calls')
    .select(['endpoint', 'asset', sql<number>`count(*)`.as('calls'), sql<number>`sum(status IS NULL OR status >= 300)`.as('failed')])
    .where('run_id', '=', runId)
    .groupBy(['endpoint', 'asset']).orderBy('endpoint'));
  return rows.length ? rows.map((r) => ({ endpoint: r.endpoint, asset: r.asset, calls: Number(r.calls), failed: Number(r.failed ?? 0) })) : undefined;
}
