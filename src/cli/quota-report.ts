/**
 * The month's API budget as the commands print it: `cbbd quota`, the budget line of `cbbd plan` and of
 * `cbbd materialize --dry-run`, and the estimate-against-calls table after a run.
 */
import { assertPlanFitsQuota, quotaBudget, quotaStatus, quotaStopRule, type QuotaBudget, type QuotaReserveSetting, type QuotaStatus } from '../core/budget/quota.ts';
import type { RunControls } from '../core/run-selection.ts';
import type { CommandContext } from './context.ts';
import { formatTable } from './format.ts';
import { withThousands } from '../core/thousands.ts';

const n = withThousands;

/** The ledger's view of this source's month, and what a run may spend of it. */
export function currentQuota(ctx: Pick<CommandContext, 'source' | 'runLog' | 'config'>, now = new Date()): { status: QuotaStatus; budget: QuotaBudget | undefined; reserve: QuotaReserveSetting } {
  const status = quotaStatus(ctx.source.ledgerName, now, (monthStart, dayStart) => ctx.runLog.apiCallUsage(ctx.source.ledgerName, monthStart, dayStart));
  const reserve = ctx.config.source.quotaReserve;
  return { status, budget: quotaBudget(status, reserve), reserve };
}

/**
 * Every run of the CLI and the server spends the budget the same way: a plan over the remaining quota less the reserve
 * is refused before its first call (OverQuotaError, exit 2 / HTTP 400), unless overridden; the run then stops taking
 * new steps once the reserve is crossed (or, overridden, once the API says the quota is spent).
 */
export function quotaControls(
  ctx: Pick<CommandContext, 'source' | 'runLog' | 'config'>, estimatedCalls: number, allowOverQuota = false,
): Pick<RunControls, 'stopTakingSteps'> {
  const { budget, reserve } = currentQuota(ctx);
  if (!allowOverQuota) assertPlanFitsQuota(estimatedCalls, budget, reserve);
  return { stopTakingSteps: quotaStopRule(ctx.source.quota, reserve, { ...(budget && { budget }), allowOverQuota }) };
}

/** One line: the estimate beside the remaining quota, and whether it fits. */
export function renderBudgetLine(estimatedCalls: number, status: QuotaStatus, budget: QuotaBudget | undefined, reserve: QuotaReserveSetting): string {
  if (!budget) {
    const when = status.lastFigure ? ` (the last, ${n(status.lastFigure.remaining)} left, was reported ${status.lastFigure.at.slice(0, 10)}, before this month)` : '';
    return `API budget: about ${n(estimatedCalls)} call(s); no remaining figure reported this month yet${when}: the run's first answer brings it.`;
  }
  const fits = estimatedCalls <= budget.available;
  return `API budget: about ${n(estimatedCalls)} call(s) of ${n(budget.remaining)} left this month (reported ${budget.figureAt.slice(0, 16).replace('T', ' ')} UTC), ` +
    `reserve ${n(budget.reserve)} (source.quotaReserve ${JSON.stringify(reserve)}): ` +
    (fits ? `fits, ${n(budget.available - estimatedCalls)} to spare.` : `does NOT fit (${n(budget.available)} may be used): materialize will refuse it without --allow-over-quota.`);
}

/** `cbbd quota` as text. */
export function renderQuota(status: QuotaStatus, budget: QuotaBudget | undefined): string {
  const lines = [`API calls to ${status.source}, ${status.month} (UTC), from this run log's records: ${n(status.callsThisMonth)} this month, ${n(status.callsToday)} today (${status.today}).`];
  if (status.endpoints.length) {
    lines.push('', formatTable(['endpoint', 'this month', 'today'], status.endpoints.map((e) => [e.endpoint, e.month, e.today])), '');
  }
  const figure = status.lastFigure;
  if (!figure) lines.push('Remaining quota: not reported yet (the first answer of the API carries it).');
  else if (!figure.thisMonth) lines.push(`Remaining quota: ${n(figure.remaining)} at ${figure.at}, last month; the quota has reset since, and the next answer brings this month's figure.`);
  else lines.push(`Remaining quota: ${n(figure.remaining)} call(s), reported at ${figure.at}${budget ? `; a run may use ${n(budget.available)} of them (reserve ${n(budget.reserve)})` : ''}.`);
  if (status.pace) {
    const p = status.pace;
    let end = `about ${n(p.projectedMonthCalls)} call(s) this month`;
    if (p.runsOutOn) end += `; the quota runs out about ${p.runsOutOn}`;
    else if (p.projectedLeftAtMonthEnd !== null) end += `, about ${n(p.projectedLeftAtMonthEnd)} left at the month's end`;
    lines.push(`At this month's pace (${p.callsPerDay} calls a day): ${end}.`);
  }
  return lines.join('\n');
}

/** Estimated calls per asset beside the calls made, with the error, for the assets that had either. */
export function renderEstimateErrors(estimated: ReadonlyMap<string, number>, made: Readonly<Record<string, number>>): string {
  const assets = [...new Set([...estimated.keys(), ...Object.keys(made)])].filter((a) => (estimated.get(a) ?? 0) > 0 || (made[a] ?? 0) > 0).sort();
  if (!assets.length) return '';
  const rows = assets.map((a) => {
    const e = estimated.get(a) ?? 0;
    const m = made[a] ?? 0;
    // Estimates come in tenths; sums of them carry float noise (23.799999999999997).
    return [a, Math.round(e * 10) / 10, m, m === 0 ? (e === 0 ? '0%' : 'n/a') : `${e >= m ? '+' : ''}${Math.round(((e - m) / m) * 100)}%`];
  });
  return formatTable(['asset', 'estimated calls', 'calls made', 'error'], rows);
}
