/**
 * `cbbd fetch <endpoint> [--params '{"season": 2024}'] [--summary]`: one API call, for debugging, through the same
 * client as every run (rate limit, retries, redaction), printed. It writes nothing to the lakehouse: no raw body, no
 * dead letter. The call is recorded in the run log's ledger, since it spends the month's quota like any other. Which
 * endpoint a name means and what parameters it takes is the source's (`cbbd/endpoint-request.ts`); this parses,
 * calls and prints.
 */
import * as cbbd from 'cbbd';
import { findEndpoint, parseEndpointParams } from '../../cbbd/endpoint-request.ts';
import type { CommandContext } from '../context.ts';
import { debuggingSource } from '../source-wiring.ts';
import { withThousands } from '../../core/thousands.ts';

export interface FetchOptions {
  params?: string;
  summary?: boolean;
}

export async function fetchCommand(ctx: CommandContext, endpoint: string, options: FetchOptions): Promise<number> {
  const [fn, info] = findEndpoint(endpoint);
  const { path, query } = parseEndpointParams(options.params, fn, info);
  const source = debuggingSource(ctx);
  try {
    const client = await source.client();
    const call = (cbbd as unknown as Record<string, Parameters<typeof client.call>[0]>)[fn]!;
    const response = await client.call(call, { ...(Object.keys(path).length && { path }), ...(Object.keys(query).length && { query }) });
    const request = `GET ${response.request.path}${Object.keys(response.request.params).length ? `?${new URLSearchParams(response.request.params).toString()}` : ''}`;
    if (!options.summary) {
      process.stdout.write(`${JSON.stringify(response.data, null, 2)}\n`);
      process.stderr.write(`${request}: ${withThousands(Buffer.byteLength(response.raw))} bytes, fetched ${response.fetchedAt}\n`);
      return 0;
    }
    process.stdout.write(`${summarize(request, response.data, Buffer.byteLength(response.raw))}\n`);
    return 0;
  } finally {
    await source.close();
  }
}

/** What came back, in a few lines: how many records, their fields, the first one. */
function summarize(request: string, data: unknown, bytes: number): string {
  const lines = [`${request}: ${withThousands(bytes)} bytes`];
  const records = Array.isArray(data) ? data : [data];
  if (Array.isArray(data)) lines.push(`${withThousands(data.length)} record(s)`);
  const first = records[0];
  if (first && typeof first === 'object') {
    lines.push(`fields: ${Object.keys(first).join(', ')}`);
    const text = JSON.stringify(first);
    lines.push(`first: ${text.length > 400 ? `${text.slice(0, 400)}…` : text}`);
  }
  return lines.join('\n');
}
