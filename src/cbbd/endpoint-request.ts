/**
 * A call named by a user (`cbbd fetch`): the endpoint, by the package's function (`getGames`) or by its path (`/games`,
 * `plays/game/{gameId}`), and its parameters from a flat JSON object, split into the path's and the query's, with the
 * endpoint's required ones present. Every mistake is a usage error saying how to write it.
 */
import { UsageError } from '../core/errors.ts';
import { ENDPOINTS, type EndpointFunction, type EndpointInfo } from './endpoints.ts';

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
export function parseEndpointParams(text: string | undefined, fn: EndpointFunction, info: EndpointInfo): { path: Record<string, string | number>; query: Record<string, string | number | boolean> } {
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
