/**
 * `GET /api/quota`: the month's API calls by endpoint (this month and today) from the run log's ledger, the last
 * remaining figure the API reported, the pace, and what a run may spend: the same figures as `cbbd quota`, for the
 * page's small panel (`ui/quota-panel.js`). Read-only; the security guard in front of it is the app's.
 */
import { Hono } from 'hono';
import { quotaBudget, quotaStatus, type QuotaReserveSetting } from '../core/budget/quota.ts';
import type { RunLogReader } from '../store/run-log.ts';

export interface QuotaRouteDeps {
  readonly runLog: RunLogReader;
  /** The ledger's name of the source in use and `source.quotaReserve`. */
  readonly quota: { readonly source: string; readonly reserve: QuotaReserveSetting };
  readonly now?: () => Date;
}

export function quotaRoutes(deps: QuotaRouteDeps): Hono {
  return new Hono().get('/api/quota', (c) => {
    const { source, reserve } = deps.quota;
    const status = quotaStatus(source, deps.now?.() ?? new Date(), (monthStart, dayStart) => deps.runLog.apiCallUsage(source, monthStart, dayStart));
    return c.json({ ...status, reserve, budget: quotaBudget(status, reserve) ?? null });
  });
}
