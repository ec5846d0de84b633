import type { StaleReasonKind } from '../../core/plan.ts';

/**
 * Why a raw partition may be refreshed incrementally (keeping what can no longer change and asking only for the
 * rest): it is merely volatile, an upstream changed, or its last attempt failed after an earlier success. A missing
 * partition, a code change or --force fetches everything again.
 */
export const INCREMENTAL: ReadonlySet<StaleReasonKind> = new Set(['source_volatile', 'upstream_changed', 'upstream_stale', 'failed']);
