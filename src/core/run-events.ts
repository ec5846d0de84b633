/** Events a run emits as it goes: the CLI draws a progress bar from them, the server streams them to the page. */
import type { StaleReasonKind } from './plan.ts';

export type StepStatus = 'succeeded' | 'failed' | 'skipped';

export type RunEvent =
  | { type: 'run_started'; runId: string; steps: number; partitions: number; assets: readonly string[] }
  /** The calendar phase finished and the rest was re-planned over the real game days. */
  | { type: 'run_replanned'; runId: string; steps: number; partitions: number }
  | { type: 'step_started'; runId: string; step: string; asset: string; partitions: number; reasons: Partial<Record<StaleReasonKind, number>> }
  | { type: 'step_retrying'; runId: string; step: string; asset: string; attempt: number; error: string }
  | {
      type: 'step_finished'; runId: string; step: string; asset: string; status: StepStatus;
      succeeded: number; failed: number; skipped: number; unchanged: number; durationMs: number; error?: string;
    }
  /** The run stops taking new steps (the API's call quota crossed its reserve); steps under way finish. */
  | { type: 'run_stopping'; runId: string; reason: string }
  | { type: 'run_finished'; runId: string; status: 'succeeded' | 'failed' | 'cancelled'; durationMs: number; succeeded: number; failed: number; skipped: number; unchanged: number; stopped?: string };
