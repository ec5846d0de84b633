/**
 * The one way to run a selection end to end: load the planner's state, plan, then materialize (calendar phase,
 * re-plan, the rest) with the project's hooks. The CLI, the server, the benchmarks and the tests all come through
 * here, so none of them wires the phases, the catalog registration or the dead-letter scope by hand.
 */
import type { CheckpointStore } from './checkpoints.ts';
import { commandClock } from './clock.ts';
import type { AssetGraph } from './graph.ts';
import type { Logger } from './logger.ts';
import type { MaterializeHooks, MaterializeOptions, RunResult } from './materializer.ts';
import type { PartitionFilter, SeasonWindow } from './partitions.ts';
import type { Plan } from './plan.ts';
import { applyCallBudget } from './budget/call-budget.ts';
import { withCallEstimates } from './budget/call-estimate.ts';
import { buildPlan, type PlanOptions } from './planner.ts';
import type { RunRecorder } from './run-recorder.ts';
import type { Calendars } from './partitions.ts';
import type { PartitionRecords, PlannerState } from './state.ts';

/** Everything a selection is planned and run against. */
export interface Project {
  readonly graph: AssetGraph;
  /** The run log as the kernel uses it: a state to plan from and a recorder for the run (src/store implements both). */
  readonly runLog: PlannerStateSource & RunRecorder;
  /** Settled source partitions (the API will not change them again); none when absent. */
  readonly checkpoints?: Pick<CheckpointStore, 'settledPartitions'>;
  readonly window: SeasonWindow;
  readonly rollingDays: number;
  readonly materialize: { readonly concurrency: number; readonly retries: number; readonly retryMinDelayMs?: number; readonly eventRetentionDays?: number };
  readonly hooks?: MaterializeHooks;
  readonly log?: Logger;
  readonly now?: () => Date;
}

export interface SelectionRequest {
  readonly selection: string;
  readonly filter?: PartitionFilter;
  readonly force?: boolean;
  /** Also plan what the selection reads but was never materialized (default true, as `cbbd materialize` does). */
  readonly buildNeverBuiltUpstream?: boolean;
  /** Source API calls the whole run may make: the plan is cut to fit by priority (see `call-budget.ts`). */
  readonly callBudget?: number;
}

export interface PlannedRun {
  readonly selection: string;
  readonly plan: Plan;
  readonly state: PlannerState;
  readonly options: PlanOptions;
  readonly callBudget?: number;
}

export type RunControls = Pick<MaterializeOptions, 'onEvent' | 'signal' | 'stopTakingSteps'> & {
  readonly concurrency?: number;
  /** Source API calls made so far in this run: what a call budget has left when the plan is made again. */
  readonly callsMade?: () => number;
};

/** The plan of a selection from a state, priced, and cut to the call budget when there is one. */
function pricedPlan(project: Project, selection: string, state: PlannerState, options: PlanOptions, callBudget: number | undefined, spent: number): Plan {
  const plan = withCallEstimates(project.graph, buildPlan(project.graph, selection, state, options), state);
  return callBudget === undefined ? plan : applyCallBudget(project.graph, plan, state, { calls: callBudget, spent });
}

/** What the planner's state is read from: the run log (and, for a writer, its orphan recovery). */
export interface PlannerStateSource {
  /** The latest record of every partition ever attempted, by asset. */
  loadPartitionRecords(): ReadonlyMap<string, PartitionRecords>;
  /** The game days each calendar asset recorded, by season. */
  loadCalendars(): Calendars;
  /** The encoded inputs a partition was built from (to explain which upstream changed). */
  builtInputs(asset: string, partition: string): string | null;
  /** Mark runs whose process is gone as failed first (a writer's run log); a read-only view has none. */
  recoverOrphans?(): unknown;
}

/**
 * The one planner-state builder, for every command and the page: the run log's records and calendars in a few bulk
 * reads, after marking runs whose process is gone as failed (so a killed run's partitions read failed, not running),
 * and the partitions the checkpoints call settled.
 */
export function plannerStateOf(source: PlannerStateSource, now: Date, settled: PlannerState['settled']): PlannerState {
  source.recoverOrphans?.();
  return {
    now,
    records: source.loadPartitionRecords(),
    calendars: source.loadCalendars(),
    settled,
    builtInputs: (asset, partition) => source.builtInputs(asset, partition),
  };
}

/** The settled partitions of every asset from the project's checkpoints (none without checkpoints). */
export async function settledPartitions(project: Pick<Project, 'graph' | 'checkpoints'>): Promise<PlannerState['settled']> {
  return (await project.checkpoints?.settledPartitions(project.graph.order)) ?? new Map();
}

/** The planner's state of a project now (`plannerStateOf` with the project's run log and checkpoints). */
export async function loadPlannerState(project: Project, now = project.now?.() ?? commandClock()): Promise<PlannerState> {
  const settled = await settledPartitions(project);
  return plannerStateOf(project.runLog, now, settled);
}

/** Plan a selection from the current state. */
export async function planSelection(project: Project, request: SelectionRequest): Promise<PlannedRun> {
  const options: PlanOptions = {
    window: project.window, rollingDays: project.rollingDays, filter: request.filter ?? {}, force: request.force ?? false,
    buildNeverBuiltUpstream: request.buildNeverBuiltUpstream ?? true,
  };
  const state = await loadPlannerState(project);
  const plan = pricedPlan(project, request.selection, state, options, request.callBudget, 0);
  return { selection: request.selection, plan, state, options, ...(request.callBudget !== undefined && { callBudget: request.callBudget }) };
}

/** Materialize a plan: calendars first, then the rest re-planned over the real game days. */
export async function runPlanned(project: Project, planned: PlannedRun, controls: RunControls = {}): Promise<RunResult> {
  const { materialize: settings } = project;
  // Loaded here, not at the top: `cbbd status` and `cbbd plan` plan without it and start the faster.
  const { materialize } = await import('./materializer.ts');
  return materialize(project.graph, planned.plan, project.runLog, planned.state, {
    ...planned.options,
    concurrency: controls.concurrency ?? settings.concurrency,
    retries: settings.retries,
    ...(settings.retryMinDelayMs !== undefined && { retryMinDelayMs: settings.retryMinDelayMs }),
    ...(settings.eventRetentionDays !== undefined && { eventRetentionDays: settings.eventRetentionDays }),
    ...(project.log && { log: project.log }),
    ...(project.hooks && { hooks: project.hooks }),
    ...(controls.onEvent && { onEvent: controls.onEvent }),
    ...(controls.signal && { signal: controls.signal }),
    ...(controls.stopTakingSteps && { stopTakingSteps: controls.stopTakingSteps }),
    // Priced again: a call budget has the calendar phase's calls less to spend.
    replan: (live) => pricedPlan(project, planned.selection, live, planned.options, planned.callBudget, controls.callsMade?.() ?? 0),
  });
}

/** Plan and materialize a selection. */
export async function runSelection(project: Project, request: SelectionRequest, controls: RunControls = {}): Promise<RunResult> {
  return runPlanned(project, await planSelection(project, request), controls);
}
