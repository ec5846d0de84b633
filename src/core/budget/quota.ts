/**
 * The month's API budget: what the ledger says about the calls made this month (by endpoint, today, the pace), the
 * last `X-CallLimit-Remaining` figure the API reported, the reserve a run must leave, and the two decisions made with
 * them: refuse a plan before its first call when its estimate does not fit, and stop taking new steps once a running
 * run has crossed the reserve. Pure functions of the ledger's figures and a clock; the source is only an interface.
 */
import { PlanError } from '../errors.ts';
import { withThousands } from '../thousands.ts';

/** Calls of one source since a month's start, by endpoint, and the last figure the API reported (the run log's). */
export interface ApiCallUsage {
  /** Per endpoint: calls since the month's start and since the day's start. */
  readonly endpoints: readonly { readonly endpoint: string; readonly month: number; readonly today: number }[];
  /** The first call of the month (for the pace), if any. */
  readonly firstCallAt: number | null;
  /** The newest `X-CallLimit-Remaining` of this source, whenever it was reported. */
  readonly lastFigure: { readonly remaining: number; readonly at: number } | null;
}

/** `source.quotaReserve`: a number of calls, or a percentage of the last remaining figure ("10%"). */
export type QuotaReserveSetting = number | string;

export interface QuotaStatus {
  /** Which source the figures are for ("simulator" or the API's base URL). */
  readonly source: string;
  /** The calendar month (UTC) the counts cover, `YYYY-MM`, and today, `YYYY-MM-DD`. */
  readonly month: string;
  readonly today: string;
  readonly callsThisMonth: number;
  readonly callsToday: number;
  readonly endpoints: ApiCallUsage['endpoints'];
  /** The last figure the API reported, and whether it was reported this month (an older one has been reset since). */
  readonly lastFigure: { readonly remaining: number; readonly at: string; readonly thisMonth: boolean } | null;
  /** Calls per day so far this month, and where that pace ends the month. */
  readonly pace: {
    readonly callsPerDay: number;
    readonly projectedMonthCalls: number;
    /** Calls left at the end of the month at this pace (from the last figure), or null without a figure this month. */
    readonly projectedLeftAtMonthEnd: number | null;
    /** The day the quota runs out at this pace, if it runs out before the month ends. */
    readonly runsOutOn: string | null;
  } | null;
}

const DAY_MS = 86_400_000;

/** Start of the month and of the day of `now`, UTC, in epoch milliseconds. */
export function monthBounds(now: Date): { monthStart: number; dayStart: number; nextMonthStart: number } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return { monthStart: Date.UTC(y, m, 1), dayStart: Date.UTC(y, m, now.getUTCDate()), nextMonthStart: Date.UTC(y, m + 1, 1) };
}

/** The month as the ledger sees it, from what `readUsage` returns for the month's bounds. */
export function quotaStatus(source: string, now: Date, readUsage: (monthStart: number, dayStart: number) => ApiCallUsage): QuotaStatus {
  const { monthStart, dayStart, nextMonthStart } = monthBounds(now);
  const usage = readUsage(monthStart, dayStart);
  const callsThisMonth = usage.endpoints.reduce((n, e) => n + e.month, 0);
  const callsToday = usage.endpoints.reduce((n, e) => n + e.today, 0);
  const figure = usage.lastFigure;
  const thisMonth = figure !== null && figure.at >= monthStart;
  let pace: QuotaStatus['pace'] = null;
  if (callsThisMonth > 0) {
    // At least a day: a month's first hour of calls is not a pace to project thirty days from.
    const daysSoFar = Math.max(1, (now.getTime() - monthStart) / DAY_MS);
    const callsPerDay = callsThisMonth / daysSoFar;
    const daysLeft = Math.max(0, (nextMonthStart - now.getTime()) / DAY_MS);
    const projectedLeft = thisMonth && figure ? Math.round(figure.remaining - callsPerDay * daysLeft) : null;
    pace = {
      callsPerDay: Math.round(callsPerDay * 10) / 10,
      projectedMonthCalls: Math.round(callsPerDay * ((nextMonthStart - monthStart) / DAY_MS)),
      projectedLeftAtMonthEnd: projectedLeft,
      runsOutOn: projectedLeft !== null && projectedLeft < 0
        ? new Date(now.getTime() + ((figure?.remaining ?? 0) / callsPerDay) * DAY_MS).toISOString().slice(0, 10)
        : null,
    };
  }
  return {
    source, month: new Date(monthStart).toISOString().slice(0, 7), today: new Date(dayStart).toISOString().slice(0, 10),
    callsThisMonth, callsToday, endpoints: usage.endpoints,
    lastFigure: figure && { remaining: figure.remaining, at: new Date(figure.at).toISOString(), thisMonth },
    pace,
  };
}

/** The reserve in calls: the setting itself, or its percentage of `remaining`, rounded up. */
export function reserveOf(setting: QuotaReserveSetting, remaining: number): number {
  if (typeof setting === 'number') return setting;
  return Math.ceil((remaining * Number.parseFloat(setting)) / 100);
}

/** What a run may spend: known only once the API reported a figure this month. */
export interface QuotaBudget {
  readonly remaining: number;
  readonly reserve: number;
  /** Calls a run may make: remaining less the reserve (never negative). */
  readonly available: number;
  readonly figureAt: string;
}

export function quotaBudget(status: QuotaStatus, setting: QuotaReserveSetting): QuotaBudget | undefined {
  const figure = status.lastFigure;
  if (!figure?.thisMonth) return undefined;
  const reserve = reserveOf(setting, figure.remaining);
  return { remaining: figure.remaining, reserve, available: Math.max(0, figure.remaining - reserve), figureAt: figure.at };
}

/** A plan whose estimate does not fit the budget: `cbbd materialize` exits 2 with this message. */
export class OverQuotaError extends PlanError {}

/**
 * Refuse a plan, before its first call, whose estimated calls exceed what the budget leaves; with no figure this
 * month (a fresh install, or a new month) there is nothing to refuse on: the run's first answer brings the figure.
 */
export function assertPlanFitsQuota(estimatedCalls: number, budget: QuotaBudget | undefined, setting: QuotaReserveSetting): void {
  if (!budget || estimatedCalls <= budget.available) return;
  const n = withThousands;
  throw new OverQuotaError(
    `this run needs about ${n(estimatedCalls)} source API calls, but the API reported ${n(budget.remaining)} left this month ` +
      `(${budget.figureAt.slice(0, 16).replace('T', ' ')} UTC), less the reserve of ${n(budget.reserve)} ` +
      `(source.quotaReserve ${JSON.stringify(setting)}): ${n(budget.available)} may be used. ` +
      'Narrow the run (one season with --season, a few game days with --from/--to, fewer assets in the selection; ' +
      '`cbbd plan` shows the calls per asset), wait for next month\'s quota, or pass --allow-over-quota to run anyway ' +
      '(it then stops only when the API says the quota is spent).',
  );
}

/** What a running run can see of the quota (the source's client reports it; the kernel does not know the source). */
export interface QuotaSignal {
  /** The last remaining figure seen in this process, or undefined before the first answer carrying one. */
  readonly remaining: number | undefined;
  /** The API said the month's quota is spent. */
  readonly exhausted: boolean;
  /** Answers seen so far (a long-lived process runs many runs: each heeds only what it saw itself). */
  readonly observed: number;
}

/**
 * Why a running run should stop taking new steps, or undefined: the API said the quota is spent, or (unless the
 * reserve is overridden) the remaining figure fell below the reserve. The reserve is fixed when the run starts, or
 * from the first figure of the run when none was known, so it does not shrink with the figure it protects.
 */
export function quotaStopRule(signal: QuotaSignal, setting: QuotaReserveSetting, options: { budget?: QuotaBudget; allowOverQuota: boolean }): () => string | undefined {
  let reserve = options.budget?.reserve;
  const startedAt = signal.observed;
  return () => {
    if (signal.observed === startedAt) return undefined;
    if (signal.exhausted) return 'the API said the month\'s call quota is spent';
    if (options.allowOverQuota || signal.remaining === undefined) return undefined;
    reserve ??= reserveOf(setting, signal.remaining);
    return signal.remaining < reserve
      ? `the API reports ${signal.remaining} call(s) left this month, below the reserve of ${reserve} (source.quotaReserve ${JSON.stringify(setting)})`
      : undefined;
  };
}
