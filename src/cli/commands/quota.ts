/** `cbbd quota`: the month's API calls by endpoint (this month and today), the last remaining figure, the pace. */
import type { CommandContext } from '../context.ts';
import { currentQuota, renderQuota } from '../quota-report.ts';

export async function quotaCommand(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  const { status, budget } = currentQuota(ctx);
  process.stdout.write(`${options.json ? JSON.stringify({ ...status, budget: budget ?? null }, null, 2) : renderQuota(status, budget)}\n`);
  return 0;
}
