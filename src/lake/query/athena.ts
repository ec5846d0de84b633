/**
 * Read-only SQL on Athena, for the cloud deployment: the query runs in the configured workgroup against the Glue
 * databases, results land in `s3://<bucket>/athena/`, and the rows are read back page by page.
 */
import { StorageError, UsageError } from '../../core/errors.ts';
import {
  AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { awsClientConfig, type AwsSettings } from '../aws.ts';

export interface AthenaQuery {
  readonly sql: string;
  readonly workgroup: string;
  readonly outputLocation: string;
  readonly database?: string;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
}

export async function runAthenaQuery(settings: AwsSettings, query: AthenaQuery): Promise<{ id: string; columns: string[]; rows: Record<string, unknown>[] }> {
  const client = new AthenaClient(awsClientConfig(settings));
  try {
    const started = await client.send(new StartQueryExecutionCommand({
      QueryString: query.sql, WorkGroup: query.workgroup, ResultConfiguration: { OutputLocation: query.outputLocation },
      ...(query.database && { QueryExecutionContext: { Database: query.database } }),
    }));
    const id = started.QueryExecutionId!;
    const deadline = Date.now() + (query.timeoutMs ?? 300_000);
    for (;;) {
      const state = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status;
      if (state?.State === 'SUCCEEDED') break;
      if (state?.State === 'FAILED' || state?.State === 'CANCELLED') throw new UsageError(`query failed: Athena query ${id} ${state.State.toLowerCase()}: ${state.StateChangeReason ?? 'no reason given'}`);
      if (Date.now() > deadline) throw new StorageError(`[query:athena] query ${id} still running after ${Math.round((query.timeoutMs ?? 300_000) / 1000)} s; narrow it or raise the timeout.`);
      await new Promise((r) => setTimeout(r, query.pollMs ?? 500));
    }
    const columns: string[] = [];
    const rows: Record<string, unknown>[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      if (!columns.length) columns.push(...(page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? ''));
      for (const [i, row] of (page.ResultSet?.Rows ?? []).entries()) {
        // Athena repeats the header as the first row of the first page.
        if (first && i === 0 && row.Data?.every((d, j) => d.VarCharValue === columns[j])) continue;
        rows.push(Object.fromEntries(columns.map((c, j) => [c, row.Data?.[j]?.VarCharValue ?? null])));
      }
      first = false;
      token = page.NextToken;
    } while (token);
    return { id, columns, rows };
  } finally {
    client.destroy();
  }
}
