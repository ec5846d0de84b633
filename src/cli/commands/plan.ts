/** `cbbd plan <selection>`: what is stale, why, and what it will cost in API calls. */
import type { Plan, StaleReasonKind } from '../../core/plan.ts';
import { describeReason } from '../../core/plan.ts';
import { describeFilter, type PartitionFilterInput } from '../../core/selection.ts';
import type { CommandContext } from '../context.ts';
import { scopeOf } from '../default-scope.ts';
import { loadPlannerState } from '../../core/run-selection.ts';
import { planSelection } from '../../core/run-selection.ts';
import { UsageError } from '../../core/errors.ts';
import { formatTable, formatTime } from '../format.ts';
import { currentQuota, renderBudgetLine } from '../quota-report.ts';

export interface PlanCommandOptions extends PartitionFilterInput {
  force?: boolean;
  json?: boolean;
  callBudget?: string;
}

/** `--call-budget N`: a whole number of calls, or absent. */
export function parseCallBudget(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--call-budget ${value} is not a whole number of calls >= 0, e.g. --call-budget 150.`);
  return n;
}


const REASON_LABELS: Record<StaleReasonKind, string> = {
  missing: 'missing', failed: 'failed', code_changed: 'code changed', upstream_changed: 'upstream changed',
  source_volatile: 'source volatile', upstream_stale: 'upstream stale', forced: 'forced',
};

/** The plan as people read it: per asset, counts by reason, then an example reason for each asset. */
export function renderPlan(plan: Plan): string {
  const lines: string[] = [];
  const staleAssets = plan.assets.filter((a) => a.stale > 0);
  lines.push(
    `Plan for "${plan.selection}" (${describeFilter(plan.filter)}): ${plan.stalePartitions} stale partition(s) in ` +
      `${staleAssets.length} of ${plan.assets.length} asset(s), ${plan.steps.length} step(s), about ${plan.expectedCalls} source API call(s).`,
  );
  if (!staleAssets.length) {
    lines.push('Everything selected is fresh: nothing to materialize.');
  } else {
    lines.push('');
    lines.push(formatTable(
      ['asset', 'stale', 'of', 'reasons', 'API calls'],
      staleAssets.map((a) => [
        a.asset, a.stale, a.partitions,
        Object.entries(a.byReason).map(([k, n]) => `${REASON_LABELS[k as StaleReasonKind]} ${n}`).join(', '),
        a.expectedCalls,
      ]),
    ));
    lines.push('');
    lines.push('Why (first stale partition of each asset):');
    for (const a of staleAssets) {
      const first = plan.steps.find((s) => s.asset === a.asset)?.partitions[0];
      if (first) lines.push(`  ${a.asset} ${first.key}: ${describeReason(first.reason)}`);
    }
  }
  if (plan.callBudget) lines.push('', ...renderCallBudget(plan));
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** What a call budget did to the plan: the allowances of per-game work, and what waits for a later run. */
export function renderCallBudget(plan: Plan): string[] {
  const budget = plan.callBudget!;
  const lines = [`Call budget ${budget.calls}${budget.spentBeforePlan ? ` (${budget.spentBeforePlan} spent before this plan)` : ''}: about ${plan.expectedCalls} call(s) planned.`];
  for (const step of plan.steps) {
    if (step.callAllowance !== undefined) lines.push(`  ${step.asset} ${step.partitions.map((p) => p.key).join(', ')}: up to ${step.callAllowance} call(s); games beyond wait for the next run (oldest first)`);
  }
  for (const d of budget.deferred) {
    lines.push(`  deferred: ${d.asset} ${d.partitions.join(', ')} (about ${d.expectedCalls} call(s); due since ${formatTime(d.dueAt)}, runs by ${formatTime(d.mustRunBy)} at the latest)`);
  }
  return lines;
}

export async function planCommand(ctx: CommandContext, selection: string, options: PlanCommandOptions): Promise<number> {
  const callBudget = parseCallBudget(options.callBudget);
  const scope = scopeOf(options, ctx.window, await loadPlannerState(ctx.project));
  const { plan } = await planSelection(ctx.project, {
    selection, filter: scope.filter, force: options.force ?? false, ...(callBudget !== undefined && { callBudget }),
  });
  const { status, budget, reserve } = currentQuota(ctx);
  const budgetLine = plan.steps.length ? `\n${renderBudgetLine(plan.expectedCalls, status, budget, reserve)}` : '';
  process.stdout.write(`${options.json ? JSON.stringify({ ...plan, quota: { budget: budget ?? null, fits: !budget || plan.expectedCalls <= budget.available } }, null, 2) : `${scope.note ? `${scope.note}\n` : ''}${renderPlan(plan)}${budgetLine}`}\n`);
  return 0;
}
