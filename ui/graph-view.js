// The lineage graph on the page: nodes and edges drawn in one "world" element, in the layout's coordinates
// (graph-layout.js). Zoom and pan transform the world as a whole, and opening a panel or resizing the window only
// changes the viewport around it, so an edge can never come loose from its nodes: both ends come from the layout,
// not from measuring the page. Big graphs are laid out in a worker (layout-worker.js), so the page stays responsive.
import { edgePath, layoutGraph, NODE_W } from './graph-layout.js';

export { LAYERS, NODE_H, NODE_W, assetRanks, edgePath, layoutGraph } from './graph-layout.js';

const ICONS = { fresh: '✓', stale: '●', missing: '○', failed: '✗', running: '↻' };
const SVG = 'http://www.w3.org/2000/svg';
/** Drawn nodes from which the layout runs in a worker (below, on the page: no round trip for small graphs). */
const WORKER_FROM = 300;

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
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

  // A big graph is laid out in a worker; a small one here (no round trip). The worker is made on first use, and a
  // page where it cannot start (or fails) lays out here instead.
  let worker = null;
  let layoutId = 0;
  const pending = new Map();
  function layoutOffPage(nodes) {
    if (worker === null) {
      try {
        worker = new Worker('/ui/layout-worker.js', { type: 'module' });
        worker.addEventListener('message', (e) => {
          const done = pending.get(e.data.id);
          pending.delete(e.data.id);
          if (!done) return;
          if (e.data.error) done.reject(new Error(e.data.error));
          else done.resolve({ ...e.data.layout, boxes: new Map(e.data.layout.boxes) });
        });
        worker.addEventListener('error', () => {
          for (const done of pending.values()) done.reject(new Error('the layout worker failed'));
          pending.clear();
          worker = false;
        });
      } catch {
        worker = false;
      }
    }
    if (!worker) return Promise.resolve(layoutGraph(nodes, collapsed));
    const id = ++layoutId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, nodes: nodes.map((a) => ({ key: a.key, layer: a.layer, deps: a.deps })), collapsed: [...collapsed] });
    }).catch(() => layoutGraph(nodes, collapsed));
  }

  function drawLaidOut(next, t0, t1) {
    layout = next;
    performance.measure('cbbd:layout', { start: t0, end: t1 });
    draw();
    performance.measure('cbbd:drawn', { start: t0, end: performance.now() });
    requestAnimationFrame(() => setTimeout(() => performance.measure('cbbd:painted', { start: t0, end: performance.now() })));
    if (!fitted) {
      fit();
      fitted = true;
    } else applyTransform();
  }

  // States change on every run event; the layout only when the assets or their edges do.
  function render() {
    const next = JSON.stringify([assets.map((a) => [a.key, a.deps]), [...collapsed]]);
    if (next !== shape) {
      shape = next;
      // Timed for bench/page.ts: the layout, the DOM built, and (after the next frame) painted.
      const t0 = performance.now();
      if (assets.length < WORKER_FROM) {
        drawLaidOut(layoutGraph(assets, collapsed), t0, performance.now());
        return;
      }
      const laidOut = assets;
      void layoutOffPage(assets).then((result) => {
        // A newer layout was asked for meanwhile: this one is dropped.
        if (shape !== next) return;
        drawLaidOut(result, t0, performance.now());
        if (assets !== laidOut) render();
      });
      return;
    }
    if (!layout) return;
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

  // Keyboard: from a focused node, ← goes to its nearest upstream, → to its nearest downstream, ↑ and ↓ to the
  // node above or below in its column; the node reached is brought into view (Enter opens it, as a click does).
  nodesEl.addEventListener('keydown', (e) => {
    const from = e.target.closest?.('.node');
    if (!from || !layout || !['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) return;
    const here = layout.boxes.get(from.dataset.key);
    if (!here) return;
    const key = from.dataset.key;
    const candidates = e.key === 'ArrowLeft' ? (assets.find((a) => a.key === key)?.deps ?? [])
      : e.key === 'ArrowRight' ? assets.filter((a) => a.deps.includes(key)).map((a) => a.key)
      : [...layout.boxes.keys()].filter((k) => {
        const b = layout.boxes.get(k);
        return Math.abs(b.x - here.x) < 1 && (e.key === 'ArrowUp' ? b.y < here.y : b.y > here.y);
      });
    const boxes = candidates.map((k) => layout.boxes.get(k) ?? layout.boxes.get(`group:${k.split('/')[0]}`)).filter(Boolean);
    if (!boxes.length) return;
    e.preventDefault();
    const next = boxes.reduce((best, b) => (Math.abs(b.y - here.y) + Math.abs(b.x - here.x) / 4 < Math.abs(best.y - here.y) + Math.abs(best.x - here.x) / 4 ? b : best));
    center(next.id);
    nodesEl.querySelector(`.node[data-key="${CSS.escape(next.id)}"]`)?.focus({ preventScroll: true });
  });

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
