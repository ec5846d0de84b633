/** Validation as a kind of run: the checks again over every built partition, recorded as a `validate` run, stoppable. */
import { describe, expect, it } from 'vitest';
import { defineAsset } from '../../src/core/asset.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { runSelection, loadPlannerState, type Project } from '../../src/core/run-selection.ts';
import { validateStored, type StoredPartitionChecker } from '../../src/core/validation.ts';
import { openRunLog, runLogFile, window } from '../helpers.ts';

const graph = buildAssetGraph([
  defineAsset({ key: 'raw/scores', partitions: { kind: 'season' }, codeVersion: '1' }, async (ctx) =>
    ctx.partitions.map((partition) => ({ partition, dataVersion: `v${partition}`, rowCount: 1, commit: async () => {} }))),
]);

async function builtProject() {
  const runLog = await openRunLog();
  const project: Project = { graph, runLog, window, rollingDays: 3, materialize: { concurrency: 1, retries: 0 } };
  await runSelection(project, { selection: '*', filter: { seasonFrom: 2023, seasonTo: 2024 } });
  return { project, runLog };
}

describe('validation, a run of the kernel', () => {
  it('checks every built partition in scope, records the outcomes under a run of kind validate, and fails on a failed check', async () => {
    const { project, runLog } = await builtProject();
    const checked: string[] = [];
    const checker: StoredPartitionChecker = {
      check: async (asset, partition) => {
        checked.push(partition);
        return { results: [{ name: 'stored', passed: partition !== '2024', blocking: true, detail: partition === '2024' ? 'body missing' : undefined }] };
      },
    };
    const result = await validateStored(graph, window, await loadPlannerState(project), project.runLog, checker, { selection: '*', filter: {} });
    expect(checked).toEqual(['2023', '2024']);
    expect(result).toMatchObject({ status: 'failed', counts: { partitions: 2, passed: 1, failed: 1 } });
    expect(result.assets[0]!.failures).toEqual([{ partition: '2024', check: 'stored', blocking: true, detail: 'body missing' }]);
    const run = runLogFile(runLog).prepare('SELECT kind, status, selection FROM runs WHERE id = ?').get(result.runId);
    expect(run).toEqual({ kind: 'validate', status: 'failed', selection: 'validate *' });
  });

  it('stops at the signal: no partition checked after it, the run recorded as cancelled', async () => {
    const { project, runLog } = await builtProject();
    const stop = new AbortController();
    const checker: StoredPartitionChecker = {
      check: async () => {
        stop.abort(new Error('interrupted by SIGTERM'));
        return { results: [{ name: 'stored', passed: true, blocking: true }] };
      },
    };
    const result = await validateStored(graph, window, await loadPlannerState(project), project.runLog, checker, { selection: '*', filter: {}, signal: stop.signal });
    expect(result).toMatchObject({ status: 'cancelled', counts: { passed: 1, failed: 0 } });
    expect((await runLog.getRun(result.runId))?.status).toBe('cancelled');
  });
});
