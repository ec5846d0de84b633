/**
 * Run summaries kept beside the data: `meta/runs/<run id>.json`, written through the storage driver when a run ends
 * (so a bucket holds the history of the runs that filled it, readable without the run log). The content is the run
 * log's report of the run, already redacted where it was recorded.
 */
import { UsageError } from '../core/errors.ts';
import type { RunReport } from '../store/run-report.ts';
import { redactDeep } from '../core/redact.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';

export const RUN_SUMMARIES_PREFIX = 'meta/runs';

/** Run ids are made by the run log (`r20240115-083000-a1b2c3`); anything else never becomes a key. */
const RUN_ID = /^r[0-9A-Za-z-]{1,64}$/;

export function runSummaryKey(runId: string): string {
  if (!RUN_ID.test(runId)) throw new UsageError(`"${runId}" is not a run id (run ids look like r20240115-083000-a1b2c3; \`cbbd runs\` lists them).`);
  return `${RUN_SUMMARIES_PREFIX}/${runId}.json`;
}

export async function writeRunSummary(storage: ObjectStorage, report: RunReport): Promise<string> {
  const key = runSummaryKey(report.id);
  // Redacted again here: this is the one place a summary leaves the run log for the lakehouse.
  await storage.put(key, `${JSON.stringify(redactDeep(report), null, 2)}\n`);
  return key;
}

export async function readRunSummary(storage: ObjectStorage, runId: string): Promise<RunReport | undefined> {
  const body = await storage.get(runSummaryKey(runId));
  return body && (JSON.parse(Buffer.from(body).toString('utf8')) as RunReport);
}
