/**
 * `cbbd deadletter`: the responses that stayed unusable after every retry, with why. `cbbd deadletter replay`
 * materializes again the asset partitions they were for (their last attempt failed, so they are stale), which asks
 * the API again; a letter whose partitions now succeed is removed, one that fails again stays.
 */
import { seasonOfKey } from '../../core/partitions.ts';
import type { DeadLetterListing } from '../../cbbd/dead-letter-store.ts';
import type { CommandContext } from '../context.ts';
import { planSelection } from '../../core/run-selection.ts';
import { preparePlanRun, type PlanRunOutcome } from '../run-plan.ts';
import { onStopSignals } from '../stop-signals.ts';
import { renderRunResult } from './materialize.ts';

/** One line per file under deadletter/ that is named like a letter but is not one: it is left alone, not acted on. */
function reportSkipped(skipped: DeadLetterListing['skipped']): void {
  for (const { key, problem } of skipped) process.stderr.write(`Skipped ${key}: ${problem}; left as it is.\n`);
}

export async function deadLetterListCommand(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  const { letters, skipped } = await ctx.deadLetters.list();
  reportSkipped(skipped);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
    return 0;
  }
  if (!letters.length) {
    process.stdout.write('No dead letters: every response the API sent could be used.\n');
    return 0;
  }
  const lines = [`${letters.length} dead letter(s) in ${ctx.storage.location}/deadletter (replay with: cbbd deadletter replay):`];
  for (const { key, letter } of letters) {
    const query = new URLSearchParams(letter.params).toString();
    lines.push(`  ${letter.at}  GET ${letter.path}${query ? `?${query}` : ''}: ${letter.reason} after ${letter.attempts} attempt(s)` +
      `${letter.asset ? ` (for ${letter.asset} ${letter.partitions?.join(', ') ?? ''})` : ''}\n    ${key}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export async function deadLetterReplayCommand(ctx: CommandContext): Promise<number> {
  const { letters, skipped } = await ctx.deadLetters.list();
  reportSkipped(skipped);
  const scoped = letters.filter((l) => l.letter.asset && ctx.graph.has(l.letter.asset));
  if (!letters.length) {
    process.stdout.write('No dead letters to replay.\n');
    return 0;
  }
  for (const l of letters.filter((x) => !scoped.includes(x))) {
    process.stdout.write(`Kept ${l.key}: it names no asset of this graph, so there is nothing to re-materialize.\n`);
  }
  if (!scoped.length) return 1;
  const assets = [...new Set(scoped.map((l) => l.letter.asset!))];
  const seasons = scoped.flatMap((l) => (l.letter.partitions ?? []).map(seasonOfKey)).filter((s): s is number => s !== undefined);
  const filter = seasons.length ? { seasonFrom: Math.min(...seasons), seasonTo: Math.max(...seasons) } : {};
  // What the failed requests held back downstream (its latest attempt in these seasons skipped or failed) is built
  // too, so a replay completes the data; downstream assets never attempted stay a matter for `cbbd materialize`.
  const heldBack: string[] = [];
  for (const key of new Set(assets.flatMap((a) => [...ctx.graph.closure(a, 'downstream')]))) {
    if (assets.includes(key)) continue;
    const latest = (await ctx.runLog.recentMaterializationsOf(key, 50)).find((m) => inSeasons(m.partition, filter));
    if (latest && latest.status !== 'succeeded') heldBack.push(key);
  }
  const planned = await planSelection(ctx.project, { selection: [...assets, ...heldBack].join(','), filter });
  const run = preparePlanRun(ctx, planned);
  // Stopped as materialize stops: no new step, a grace period, then the run recorded as cancelled and the letters kept.
  let runId: string | undefined;
  const stop = onStopSignals({
    log: ctx.log,
    abandon: async (signal) => {
      if (runId) ctx.runLog.finishRun(runId, 'cancelled', { abandoned: true }, `cancelled by ${signal}: the steps still under way were abandoned`);
      await ctx.close();
    },
  });
  let outcome: PlanRunOutcome;
  try {
    outcome = await run.start({ signal: stop.signal, onEvent: (e) => {
      if (e.type === 'run_started') runId = e.runId;
    } });
  } finally {
    await stop.settled();
    stop.dispose();
  }
  const { result, calls } = outcome;
  process.stdout.write(`${renderRunResult(result, calls)}\n`);
  const records = ctx.runLog.loadPartitionRecords();
  let kept = 0;
  for (const { key, letter } of scoped) {
    const ok = (letter.partitions ?? []).every((p) => records.get(letter.asset!)?.get(p)?.status === 'succeeded');
    if (ok) await ctx.deadLetters.remove(key);
    else kept++;
    // A replay stopped before a letter's partitions were tried has not seen them fail again.
    const said = ok ? 'Replayed' : result.status === 'cancelled' ? 'Kept (not replayed: the replay was stopped)' : 'Still failing';
    process.stdout.write(`${said}: GET ${letter.path} for ${letter.asset} ${letter.partitions?.join(', ') ?? ''}\n`);
  }
  if (result.status === 'cancelled') {
    process.stdout.write('The replay was stopped; `cbbd deadletter replay` goes on with the letters kept.\n');
    return stop.exitCode();
  }
  return kept ? 1 : 0;
}

/**
 * Whether a partition falls in the replay's seasons (every partition, when the letters name none). An unpartitioned
 * asset's one partition (bronze/conferences) belongs to every season: a failed /conferences held it back too.
 */
function inSeasons(partition: string, filter: { seasonFrom?: number; seasonTo?: number }): boolean {
  const season = seasonOfKey(partition);
  return filter.seasonFrom === undefined || season === undefined || (season >= filter.seasonFrom && season <= filter.seasonTo!);
}
