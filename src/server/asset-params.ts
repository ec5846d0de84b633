/**
 * What the asset routes read from a request: the asset key of `/api/assets/:layer/:name/...` (checked against the
 * graph: 400 for a malformed key, 404 for an unknown one) and the `?season=` query (checked against the window).
 */
import type { Context } from 'hono';
import { unknownAssetMessage, type AssetGraph } from '../core/graph.ts';
import { parseSeason, type SeasonWindow } from '../core/partitions.ts';

const KEY_PART = /^[a-z0-9_]+$/;

/** The season asked for, or undefined when none is (a bad one throws the usage error the app answers with 400). */
export function seasonParam(c: Context, window: SeasonWindow): number | undefined {
  const value = c.req.query('season');
  return value === undefined || value === '' ? undefined : parseSeason(value, window);
}

/** The asset named by the path's `:layer/:name`, or the answer that says why it is not one. */
export function assetKeyParam(c: Context, graph: AssetGraph): { key: string; error?: never } | { key?: never; error: Response } {
  const layer = c.req.param('layer') ?? '';
  const name = c.req.param('name') ?? '';
  if (!KEY_PART.test(layer) || !KEY_PART.test(name)) return { error: c.json({ error: `"${layer}/${name}" is not an asset key (layer/name, lower-case letters, digits and _).` }, 400) };
  const key = `${layer}/${name}`;
  if (!graph.has(key)) return { error: c.json({ error: unknownAssetMessage(key, graph.order) }, 404) };
  return { key };
}
