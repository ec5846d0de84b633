/** `cbbd plan <selection>`: what is stale, why, and what it will cost in API calls. */
import type { Plan, StaleReasonKind } from '../../core/plan.ts';
import { describeReason } from '../../core/plan.ts';
import { describeFilter, parsePartitionFilter, type PartitionFilterInput } from '../../core/selection.ts';
import type { CommandContext } from '../context.ts';
import { planSelection } from '../../core/run-selection.ts';
import { formatTable } from '../format.ts';
import { currentQuota, renderBudgetLine } from '../quota-report.ts';

export interface PlanCommandOptions extends PartitionFilterInput {
  force?: boolean;
  json?: boolean;
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
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export async function planCommand(ctx: CommandContext, selection: string, options: PlanCommandOptions): Promise<number> {
  const { plan } = await planSelection(ctx.project, { selection, filter: parsePartitionFilter(options, ctx.window), force: options.force ?? false });
  const { status, budget, reserve } = currentQuota(ctx);
  const budgetLine = plan.steps.length ? `\n${renderBudgetLine(plan.expectedCalls, status, budget, reserve)}` : '';
  process.stdout.write(`${options.json ? JSON.stringify({ ...plan, quota: { budget: budget ?? null, fits: !budget || plan.expectedCalls <= budget.available } }, null, 2) : `${renderPlan(plan)}${budgetLine}`}\n`);
  return 0;
}
