// The lineage graph: a layered layout by dagre (served by this server from node_modules, no CDN), drawn in one
// "world" element that holds the nodes and the edges in the same coordinates. Zoom and pan transform the world as a
// whole, and opening a panel or resizing the window only changes the viewport around it, so an edge can never come
// loose from its nodes: both ends are computed from the layout, not measured from the page.
import dagre from '/ui/vendor/dagre.js';

export const LAYERS = ['raw', 'bronze', 'silver', 'gold'];
const ICONS = { fresh: '✓', stale: '●', missing: '○', failed: '✗', running: '↻' };
export const NODE_W = 220;
export const NODE_H = 48;
const GROUP_PAD = 14;
/** Drawn nodes beyond which the layout keeps dagre's first node order (see layoutGraph). */
export const LARGE_GRAPH = 500;
const GROUP_HEAD = 28;
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

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

/**
 * The graph view in `root` (a viewport element). `onSelect(key)` is called when a node is clicked or found.
 * Returns { update(assets), select(key), fit(), focusSearch(), center(key), collapsed }.
 */
export function createGraphView(root, { onSelect }) {
  const world = root.querySelector('#world');
  const edgesSvg = root.querySelector('#edges');
  const groupsEl = root.querySelector('#groups');
  const nodesEl = root.querySelector('#nodes');
  const minimap = root.querySelector('#minimap');
  const view = { x: 0, y: 0, k: 1 };
  const collapsed = new Set();
  let assets = [];
  let layout = null;
  let shape = '';
  let selected = null;
  let fitted = false;
  // Until the user zooms or pans, the graph is kept fitted to the viewport as it changes size.
  let userMoved = false;

  const applyTransform = () => {
    world.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.k})`;
    root.dataset.zoom = view.k.toFixed(3);
    // Zoomed far out, a node shows its name only, larger, so the overview stays readable (the box keeps its size).
    root.classList.toggle('far', view.k < 0.6);
    drawMinimapViewport();
  };

  // The visible part of the viewport: the side sheet covers the right of it when open.
  const visibleWidth = () => {
    const panel = document.querySelector('#panel');
    const box = root.getBoundingClientRect();
    if (!panel || panel.hidden) return box.width;
    return Math.max(200, Math.min(box.width, panel.getBoundingClientRect().left - box.left));
  };

  function fit() {
    if (!layout) return;
    const box = root.getBoundingClientRect();
    const w = visibleWidth();
    // Below the toolbar (48 px) and clear of the minimap's corner as far as the width allows.
    const k = Math.max(0.1, Math.min(1.25, (w - 24) / layout.width, (box.height - 60) / layout.height));
    view.k = k;
    view.x = (w - layout.width * k) / 2;
    view.y = 52 + Math.max(0, (box.height - 60 - layout.height * k) / 2);
    applyTransform();
  }

  function zoomAt(factor, cx, cy) {
    const k = Math.max(0.1, Math.min(3, view.k * factor));
    view.x = cx - ((cx - view.x) * k) / view.k;
    view.y = cy - ((cy - view.y) * k) / view.k;
    view.k = k;
    applyTransform();
  }

  /** Pan so the node is in the visible part of the viewport (the side sheet may cover the right). */
  function center(key, always = false) {
    const b = layout?.boxes.get(key) ?? layout?.boxes.get(`group:${key.split('/')[0]}`);
    if (!b) return;
    const box = root.getBoundingClientRect();
    const w = visibleWidth();
    const sx = view.x + b.x * view.k;
    const sy = view.y + b.y * view.k;
    const margin = (NODE_W / 2) * view.k + 16;
    if (!always && sx > margin && sx < w - margin && sy > margin && sy < box.height - margin) return;
    if (always) {
      view.x = w / 2 - b.x * view.k;
      view.y = box.height / 2 - b.y * view.k;
    } else {
      // Just enough to bring it into view (under the side sheet, or off an edge): the rest of the graph stays put.
      if (sx > w - margin) view.x -= sx - (w - margin);
      else if (sx < margin) view.x += margin - sx;
      if (sy > box.height - margin) view.y -= sy - (box.height - margin);
      else if (sy < margin + 48) view.y += margin + 48 - sy;
    }
    applyTransform();
  }

  function closure(key, direction) {
    const out = new Set();
    const next = direction === 'up'
      ? (k) => assets.find((a) => a.key === k)?.deps ?? []
      : (k) => assets.filter((a) => a.deps.includes(k)).map((a) => a.key);
    const stack = [key];
    while (stack.length) {
      const k = stack.pop();
      for (const n of next(k)) if (!out.has(n)) { out.add(n); stack.push(n); }
    }
    return out;
  }

  function highlight() {
    const up = selected ? closure(selected, 'up') : new Set();
    const down = selected ? closure(selected, 'down') : new Set();
    // A collapsed group stands for its members: it is upstream (or downstream) if one of them is.
    const inGroup = (id, set) => id.startsWith('group:') && [...set].some((k) => k.startsWith(`${id.slice(6)}/`));
    const isUp = (id) => up.has(id) || inGroup(id, up);
    const isDown = (id) => down.has(id) || inGroup(id, down);
    const isSel = (id) => id === selected || (selected !== null && id === `group:${selected.split('/')[0]}`);
    const related = (id) => isSel(id) || isUp(id) || isDown(id);
    for (const n of nodesEl.children) {
      const id = n.dataset.key ?? n.dataset.group;
      n.classList.toggle('selected', id === selected);
      n.classList.toggle('upstream', isUp(id));
      n.classList.toggle('downstream', isDown(id));
      n.classList.toggle('dim', selected !== null && !related(id));
    }
    for (const p of edgesSvg.querySelectorAll('path')) {
      const from = p.dataset.from;
      const to = p.dataset.to;
      const hot = selected !== null && ((isUp(from) && (isUp(to) || isSel(to))) || ((isSel(from) || isDown(from)) && isDown(to)));
      p.classList.toggle('hot', hot);
      p.classList.toggle('dim', selected !== null && !hot);
    }
  }

  function nodeElement(a) {
    const counts = Object.entries(a.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(' · ') || 'no partitions yet';
    const b = layout.boxes.get(a.key);
    const name = a.key.slice(a.key.indexOf('/') + 1);
    const node = document.createElement('button');
    node.type = 'button';
    node.className = `node state-${a.state}`;
    node.dataset.key = a.key;
    node.dataset.state = a.state;
    node.title = `${a.key}${a.description ? `\n${a.description}` : ''}\n${a.state}: ${counts}`;
    node.style.left = `${b.x - b.width / 2}px`;
    node.style.top = `${b.y - b.height / 2}px`;
    node.style.width = `${b.width}px`;
    node.style.height = `${b.height}px`;
    const icon = document.createElement('span');
    icon.className = 'icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = ICONS[a.state] ?? '';
    const key = document.createElement('span');
    key.className = 'key';
    key.textContent = name;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = a.state;
    const small = document.createElement('span');
    small.className = 'counts';
    small.textContent = counts;
    node.append(icon, key, label, small);
    node.addEventListener('click', () => onSelect(a.key));
    return node;
  }

  function groupNode(gr) {
    const b = layout.boxes.get(`group:${gr.layer}`);
    const members = assets.filter((a) => a.layer === gr.layer);
    const states = {};
    for (const a of members) states[a.state] = (states[a.state] ?? 0) + 1;
    const worst = ['failed', 'running', 'stale', 'missing', 'fresh'].find((s) => states[s]) ?? 'fresh';
    const node = document.createElement('button');
    node.type = 'button';
    node.className = `node group-node state-${worst}`;
    node.dataset.group = `group:${gr.layer}`;
    node.dataset.key = `group:${gr.layer}`;
    node.title = `${gr.layer}: ${members.length} assets (${Object.entries(states).map(([s, n]) => `${s} ${n}`).join(', ')}); click to expand`;
    node.style.left = `${b.x - b.width / 2}px`;
    node.style.top = `${b.y - b.height / 2}px`;
    node.style.width = `${b.width}px`;
    node.style.height = `${b.height}px`;
    const key = document.createElement('span');
    key.className = 'key';
    key.textContent = `${gr.layer} · ${members.length} assets`;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = Object.entries(states).map(([s, n]) => `${s} ${n}`).join(' · ');
    const icon = document.createElement('span');
    icon.className = 'icon';
    icon.textContent = '▸';
    node.append(icon, key, label);
    node.addEventListener('click', () => toggleGroup(gr.layer));
    return node;
  }

  function toggleGroup(layer) {
    if (collapsed.has(layer)) collapsed.delete(layer);
    else collapsed.add(layer);
    shape = '';
    render();
    root.dispatchEvent(new CustomEvent('layout'));
  }

  function draw() {
    world.style.width = `${layout.width}px`;
    world.style.height = `${layout.height}px`;
    edgesSvg.setAttribute('width', String(layout.width));
    edgesSvg.setAttribute('height', String(layout.height));
    edgesSvg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
    edgesSvg.replaceChildren(...layout.edges.map((e) => {
      const p = svg('path', { d: edgePath(e.points) });
      p.dataset.from = e.from;
      p.dataset.to = e.to;
      return p;
    }));
    groupsEl.replaceChildren(...layout.groups.map((gr) => {
      const box = document.createElement('div');
      box.className = `group${gr.collapsed ? ' collapsed' : ''}`;
      box.dataset.layer = gr.layer;
      box.style.left = `${gr.left}px`;
      box.style.top = `${gr.top}px`;
      box.style.width = `${gr.width}px`;
      box.style.height = `${gr.height}px`;
      const head = document.createElement('button');
      head.type = 'button';
      head.className = 'group-toggle';
      head.setAttribute('aria-expanded', String(!gr.collapsed));
      head.textContent = `${gr.collapsed ? '▸' : '▾'} ${gr.layer} (${gr.count})`;
      head.title = gr.collapsed ? `Expand ${gr.layer}` : `Collapse ${gr.layer} into one node`;
      head.addEventListener('click', () => toggleGroup(gr.layer));
      box.append(head);
      return box;
    }));
    const byKey = new Map(assets.map((a) => [a.key, a]));
    nodesEl.replaceChildren(...[...layout.boxes.keys()].map((id) => (id.startsWith('group:') ? groupNode(layout.groups.find((gr) => `group:${gr.layer}` === id)) : nodeElement(byKey.get(id)))));
    drawMinimap();
    highlight();
  }

  // States change on every run event; the layout only when the assets or their edges do.
  function render() {
    const next = JSON.stringify([assets.map((a) => [a.key, a.deps]), [...collapsed]]);
    if (next !== shape) {
      shape = next;
      // Timed for bench/page.ts: the layout, the DOM built, and (after the next frame) painted.
      const t0 = performance.now();
      layout = layoutGraph(assets, collapsed);
      performance.measure('cbbd:layout', { start: t0, end: performance.now() });
      draw();
      performance.measure('cbbd:drawn', { start: t0, end: performance.now() });
      requestAnimationFrame(() => setTimeout(() => performance.measure('cbbd:painted', { start: t0, end: performance.now() })));
      if (!fitted) {
        fit();
        fitted = true;
      } else applyTransform();
      return;
    }
    const byKey = new Map(assets.map((a) => [a.key, a]));
    for (const n of nodesEl.children) {
      if (n.dataset.group) continue;
      const a = byKey.get(n.dataset.key);
      if (a && (n.dataset.state !== a.state || n.querySelector('.counts').textContent !== countsText(a))) n.replaceWith(nodeElement(a));
    }
    highlight();
  }

  const countsText = (a) => Object.entries(a.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(' · ') || 'no partitions yet';

  function drawMinimap() {
    if (!minimap) return;
    minimap.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
    const rects = [...layout.boxes.values()].map((b) => {
      const a = assets.find((x) => x.key === b.id);
      return svg('rect', { x: b.x - b.width / 2, y: b.y - b.height / 2, width: b.width, height: b.height, class: `mini state-${a?.state ?? 'fresh'}` });
    });
    minimap.replaceChildren(...rects, svg('rect', { class: 'mini-viewport', x: 0, y: 0, width: 0, height: 0 }));
    drawMinimapViewport();
  }

  function drawMinimapViewport() {
    const r = minimap?.querySelector('.mini-viewport');
    if (!r || !layout) return;
    const box = root.getBoundingClientRect();
    r.setAttribute('x', String(-view.x / view.k));
    r.setAttribute('y', String(-view.y / view.k));
    r.setAttribute('width', String(visibleWidth() / view.k));
    r.setAttribute('height', String(box.height / view.k));
  }

  // Pan by dragging the background; zoom with the wheel (around the pointer) or the buttons.
  let drag = null;
  root.addEventListener('pointerdown', (e) => {
    if (e.target.closest('button, input, #minimap, .toolbar')) return;
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
    root.setPointerCapture(e.pointerId);
    root.classList.add('panning');
  });
  root.addEventListener('pointermove', (e) => {
    if (!drag) return;
    userMoved = true;
    view.x = drag.vx + e.clientX - drag.x;
    view.y = drag.vy + e.clientY - drag.y;
    applyTransform();
  });
  const endDrag = () => {
    drag = null;
    root.classList.remove('panning');
  };
  root.addEventListener('pointerup', endDrag);
  root.addEventListener('pointercancel', endDrag);
  root.addEventListener('wheel', (e) => {
    e.preventDefault();
    userMoved = true;
    const box = root.getBoundingClientRect();
    if (e.ctrlKey || e.metaKey || !e.shiftKey) zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - box.left, e.clientY - box.top);
    else {
      view.x -= e.deltaY;
      applyTransform();
    }
  }, { passive: false });
  minimap?.addEventListener('pointerdown', (e) => {
    const pt = minimap.createSVGPoint();
    pt.x = e.clientX;
    pt.y = e.clientY;
    const at = pt.matrixTransform(minimap.getScreenCTM().inverse());
    const box = root.getBoundingClientRect();
    view.x = visibleWidth() / 2 - at.x * view.k;
    view.y = box.height / 2 - at.y * view.k;
    applyTransform();
  });
  root.querySelector('#zoom-in')?.addEventListener('click', () => {
    userMoved = true;
    zoomAt(1.25, visibleWidth() / 2, root.clientHeight / 2);
  });
  root.querySelector('#zoom-out')?.addEventListener('click', () => {
    userMoved = true;
    zoomAt(0.8, visibleWidth() / 2, root.clientHeight / 2);
  });
  root.querySelector('#fit')?.addEventListener('click', () => {
    userMoved = false;
    fit();
  });
  new ResizeObserver(() => {
    if (layout && !userMoved) fit();
    else drawMinimapViewport();
  }).observe(root);

  // Search: matches as you type, arrows move through them, Enter selects, Escape clears; "/" focuses it.
  const search = root.querySelector('#search');
  const results = root.querySelector('#search-results');
  let hits = [];
  let active = 0;
  const showHits = () => {
    results.replaceChildren(...hits.map((k, i) => {
      const li = document.createElement('li');
      li.id = `hit-${i}`;
      li.setAttribute('role', 'option');
      li.dataset.key = k;
      li.textContent = k;
      li.title = k;
      li.setAttribute('aria-selected', String(i === active));
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        choose(k);
      });
      return li;
    }));
    results.hidden = !hits.length;
    if (hits.length) search.setAttribute('aria-activedescendant', `hit-${active}`);
    else search.removeAttribute('aria-activedescendant');
  };
  const choose = (key) => {
    hits = [];
    showHits();
    search.value = key;
    if (collapsed.has(key.split('/')[0])) toggleGroup(key.split('/')[0]);
    onSelect(key);
    // A found node is shown readable: zoomed in to at least 80 %, centred in the visible part.
    if (view.k < 0.8) {
      userMoved = true;
      view.k = 0.8;
    }
    center(key, true);
    nodesEl.querySelector(`.node[data-key="${CSS.escape(key)}"]`)?.focus({ preventScroll: true });
  };
  search?.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    hits = q ? assets.map((a) => a.key).filter((k) => k.includes(q)).sort((a, b) => a.indexOf(q) - b.indexOf(q) || a.localeCompare(b)).slice(0, 12) : [];
    active = 0;
    showHits();
  });
  search?.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (hits.length) active = (active + (e.key === 'ArrowDown' ? 1 : hits.length - 1)) % hits.length;
      showHits();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (hits[active]) choose(hits[active]);
    } else if (e.key === 'Escape') {
      hits = [];
      showHits();
    }
  });
  search?.addEventListener('blur', () => setTimeout(() => { hits = []; showHits(); }, 100));
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && !e.target.closest?.('input, textarea, select')) {
      e.preventDefault();
      search?.focus();
    }
  });

  return {
    update(next) {
      assets = next;
      render();
    },
    select(key) {
      selected = key;
      highlight();
      if (key) center(key);
    },
    fit,
    center,
    collapsed,
    toggleGroup,
    get layout() {
      return layout;
    },
    get view() {
      return { ...view };
    },
    refit() {
      fitted = false;
      userMoved = false;
    },
  };
}
