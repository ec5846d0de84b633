/**
 * `cbbd fetch <endpoint> [--params '{"season": 2024}'] [--summary]`: one API call, for debugging, through the same
 * client as every run (rate limit, retries, redaction), printed. It writes nothing to the lakehouse: no raw body, no
 * dead letter. The call is recorded in the run log's ledger, since it spends the month's quota like any other.
 */
import * as cbbd from 'cbbd';
import { ENDPOINTS, type EndpointFunction, type EndpointInfo } from '../../cbbd/endpoints.ts';
import { UsageError } from '../../core/errors.ts';
import { debuggingSource, type CommandContext } from '../context.ts';
import { withThousands } from '../../core/thousands.ts';

export interface FetchOptions {
  params?: string;
  summary?: boolean;
}

/** The endpoint a user named: the package's function (`getGames`) or the path (`/games`, `plays/game/{gameId}`). */
export function findEndpoint(name: string): [EndpointFunction, EndpointInfo] {
  const wanted = name.trim();
  const path = `/${wanted.replace(/^\/+/, '')}`;
  const found = (Object.entries(ENDPOINTS) as [EndpointFunction, EndpointInfo][]).find(([fn, info]) => fn.toLowerCase() === wanted.toLowerCase() || info.path === path);
  if (!found) {
    const list = Object.values(ENDPOINTS).map((e) => e.path).sort().join(', ');
    throw new UsageError(`Unknown endpoint "${name}". Name it by path or by the cbbd package's function, e.g. \`cbbd fetch /games --params '{"season": 2024}'\` or \`cbbd fetch getGames\`. Endpoints: ${list}.`);
  }
  return found;
}

/** `--params` as a flat JSON object of strings, numbers and booleans, with the endpoint's required ones present. */
export function parseFetchParams(text: string | undefined, fn: EndpointFunction, info: EndpointInfo): { path: Record<string, string | number>; query: Record<string, string | number | boolean> } {
  let parsed: unknown = {};
  if (text !== undefined) {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--params is not valid JSON (${(error as Error).message}): pass an object, e.g. --params '{"season": 2024, "team": "Duke"}'.`);
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--params must be a JSON object, e.g. --params '{"season": 2024}'.`);
  const entries = Object.entries(parsed as Record<string, unknown>);
  const bad = entries.filter(([, v]) => !['string', 'number', 'boolean'].includes(typeof v)).map(([k]) => k);
  if (bad.length) throw new UsageError(`--params: ${bad.join(', ')} must be a string, a number or a boolean (the API takes flat query parameters).`);
  const pathNames = [...info.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const missing = info.required.filter((r) => !entries.some(([k]) => k === r));
  if (missing.length) throw new UsageError(`${info.path} (${fn}) needs ${missing.map((m) => `"${m}"`).join(' and ')} in --params, e.g. --params '${JSON.stringify(Object.fromEntries(missing.map((m) => [m, m === 'gameId' || m === 'playerId' ? 1234 : m === 'team' ? 'Duke' : m === 'date' ? '2024-01-15' : 2024])))}'.`);
  const path: Record<string, string | number> = {};
  const query: Record<string, string | number | boolean> = {};
  for (const [k, v] of entries as [string, string | number | boolean][]) {
    if (pathNames.includes(k)) path[k] = typeof v === 'boolean' ? String(v) : v;
    else query[k] = v;
  }
  return { path, query };
}

export async function fetchCommand(ctx: CommandContext, endpoint: string, options: FetchOptions): Promise<number> {
  const [fn, info] = findEndpoint(endpoint);
  const { path, query } = parseFetchParams(options.params, fn, info);
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
