// The lineage graph's layout: a layered layout by dagre (served by this server from node_modules, no CDN), with each
// layer in its own band of ranks so layers can be drawn (and collapsed) as groups, and every edge ending exactly on
// its nodes' borders. Pure: used by the page (graph-view.js) and by the layout worker (layout-worker.js).
import dagre from '/ui/vendor/dagre.js';

export const LAYERS = ['raw', 'bronze', 'silver', 'gold'];
export const NODE_W = 220;
export const NODE_H = 48;
const GROUP_PAD = 14;
const GROUP_HEAD = 28;
/** Drawn nodes beyond which the layout keeps dagre's first node order (see layoutGraph). */
export const LARGE_GRAPH = 500;

/**
 * Each asset's rank (column): ranks grow along its layer's dependencies, and every layer starts after the one before
 * ends, so the layers are bands that never overlap and can be drawn (and collapsed) as groups. dagre then orders and
 * places the nodes within their ranks and routes the edges (`keepRanks` keeps these ranks).
 */
export function assetRanks(nodes) {
  const rank = new Map();
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  let base = 0;
  for (const layer of [...LAYERS, null]) {
    const members = nodes.filter((n) => (layer === null ? !LAYERS.includes(n.layer) : n.layer === layer));
    if (!members.length) continue;
    const inLayer = new Set(members.map((n) => n.key));
    const visit = (key, seen) => {
      if (rank.has(key)) return rank.get(key);
      if (seen.has(key)) return base; // a cycle cannot happen (the graph is checked), but never loop
      seen.add(key);
      let r = base;
      for (const d of byKey.get(key).deps) if (inLayer.has(d)) r = Math.max(r, visit(d, seen) + 1);
      rank.set(key, r);
      return r;
    };
    for (const n of members) visit(n.key, new Set());
    base = Math.max(...members.map((n) => rank.get(n.key))) + 1;
  }
  // An asset reading a later layer (bronze reading silver) would get an edge going back: push it (and what reads
  // it) after what it reads. The bands then overlap, but every edge goes forward, as the layout needs.
  const settled = new Map();
  const after = (key, seen) => {
    if (settled.has(key)) return settled.get(key);
    if (seen.has(key)) return rank.get(key);
    seen.add(key);
    let r = rank.get(key);
    for (const d of byKey.get(key).deps) if (byKey.has(d)) r = Math.max(r, after(d, seen) + 1);
    settled.set(key, r);
    return r;
  };
  for (const n of nodes) after(n.key, new Set());
  return settled;
}

/**
 * dagre's ranking step, keeping the ranks given to the nodes. dagre adds a node of its own before ranking (the
 * root of its nesting graph, with an edge to every node): it is ranked just before the nodes it points to.
 */
function keepRanks(lg) {
  const pending = lg.nodes().filter((v) => lg.node(v).rank === undefined);
  for (let pass = 0; pass < 4 && pending.length; pass++) {
    for (const v of pending) {
      const before = (lg.outEdges(v) ?? []).map((e) => {
        const r = lg.node(e.w).rank;
        return r === undefined ? undefined : r - (lg.edge(e).minlen ?? 1);
      }).filter((r) => r !== undefined);
      if (before.length) lg.node(v).rank = Math.min(...before);
    }
  }
  for (const v of pending) if (lg.node(v).rank === undefined) lg.node(v).rank = 0;
}

/**
 * Lay out `nodes` ({ key, layer, deps }) with some layers collapsed into one node each. Returns node boxes (centre
 * x, y), edges with their points (first and last on the borders of their nodes), group boxes, and the size.
 */
export function layoutGraph(nodes, collapsed = new Set()) {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 70, marginx: 24, marginy: 24, ranker: keepRanks });
  g.setDefaultEdgeLabel(() => ({}));
  const ranks = assetRanks(nodes);
  const shown = (n) => (collapsed.has(n.layer) ? `group:${n.layer}` : n.key);
  const layerRank = new Map();
  for (const n of nodes) {
    const r = ranks.get(n.key);
    const span = layerRank.get(n.layer) ?? { min: r, max: r, count: 0 };
    layerRank.set(n.layer, { min: Math.min(span.min, r), max: Math.max(span.max, r), count: span.count + 1 });
  }
  // A collapsed layer takes one rank: the ranks after it move up by what it gave back.
  const shift = (r) => {
    let s = 0;
    for (const [layer, span] of layerRank) if (collapsed.has(layer) && span.max < r) s += span.max - span.min;
    return r - s;
  };
  for (const n of nodes) {
    const id = shown(n);
    // Doubled: dagre doubles every edge's minimum length (a rank between for edge labels) before it ranks.
    if (!g.hasNode(id)) g.setNode(id, { width: NODE_W, height: NODE_H, rank: 2 * shift(collapsed.has(n.layer) ? layerRank.get(n.layer).min : ranks.get(n.key)) });
  }
  const present = new Map(nodes.map((n) => [n.key, n.layer]));
  const edges = [];
  for (const n of nodes) {
    for (const d of n.deps) {
      const source = collapsedKey(d, present, collapsed);
      if (source === undefined) continue;
      const target = shown(n);
      if (source === target || g.hasEdge(source, target)) continue;
      g.setEdge(source, target);
      edges.push({ from: source, to: target });
    }
  }
  // dagre's crossing reduction sweeps the ranks until four sweeps in a row gain nothing: most of the time of a big
  // graph (2 of 3 s for 1,000 assets). Beyond LARGE_GRAPH nodes the first, depth-first order is kept (chains stay
  // together; more edges cross), so a big graph is drawn within 2 s; search and focus make it readable.
  dagre.layout(g, g.nodeCount() > LARGE_GRAPH ? { disableOptimalOrderHeuristic: true } : {});
  const boxes = new Map(g.nodes().map((id) => {
    const n = g.node(id);
    return [id, { id, x: n.x, y: n.y, width: n.width, height: n.height }];
  }));
  const routed = edges.map((e) => {
    const points = g.edge(e.from, e.to).points.map((p) => ({ x: p.x, y: p.y }));
    const a = boxes.get(e.from);
    const b = boxes.get(e.to);
    // Ends exactly on the borders, at the middle of the facing sides: dagre's own ends aim at the centres.
    points[0] = { x: a.x + a.width / 2, y: a.y };
    points[points.length - 1] = { x: b.x - b.width / 2, y: b.y };
    // Keep the inner bends between the two ends (dagre's end points may sit on the nodes' corners).
    const inner = points.slice(1, -1).filter((p) => p.x > points[0].x + 4 && p.x < points[points.length - 1].x - 4);
    return { ...e, points: [points[0], ...inner, points[points.length - 1]] };
  });
  const groups = [];
  for (const layer of layerRank.keys()) {
    const members = [...boxes.values()].filter((b) => (collapsed.has(layer) ? b.id === `group:${layer}` : present.get(b.id) === layer));
    if (!members.length) continue;
    const left = Math.min(...members.map((b) => b.x - b.width / 2)) - GROUP_PAD;
    const right = Math.max(...members.map((b) => b.x + b.width / 2)) + GROUP_PAD;
    const top = Math.min(...members.map((b) => b.y - b.height / 2)) - GROUP_PAD - GROUP_HEAD;
    const bottom = Math.max(...members.map((b) => b.y + b.height / 2)) + GROUP_PAD;
    groups.push({ layer, count: layerRank.get(layer).count, collapsed: collapsed.has(layer), left, top, width: right - left, height: bottom - top });
  }
  const minTop = Math.min(0, ...groups.map((gr) => gr.top - 8));
  // Group headers above the first row must stay inside the world: move everything down when they would not.
  if (minTop < 0) {
    for (const b of boxes.values()) b.y -= minTop;
    for (const e of routed) for (const p of e.points) p.y -= minTop;
    for (const gr of groups) gr.top -= minTop;
  }
  const width = Math.max(g.graph().width ?? 0, ...groups.map((gr) => gr.left + gr.width + 8));
  const height = Math.max((g.graph().height ?? 0) - minTop, ...groups.map((gr) => gr.top + gr.height + 8));
  return { boxes, edges: routed, groups, width, height };
}

// The id an edge from `key` is drawn from: the key, or its collapsed layer's group; undefined if not on the graph.
function collapsedKey(key, present, collapsed) {
  const layer = present.get(key);
  if (layer === undefined) return undefined;
  return collapsed.has(layer) ? `group:${layer}` : key;
}

/** A path through the points: horizontal tangents at each point, so it leaves and enters the nodes level. */
export function edgePath(points) {
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1];
    const q = points[i];
    const mid = (p.x + q.x) / 2;
    d += ` C${mid},${p.y} ${mid},${q.y} ${q.x},${q.y}`;
  }
  return d;
}

