// The lineage page: assets by layer, coloured by state, an asset's panel, runs with live progress.
// Plain browser modules, served by the app itself: no CDN, works with no network.
import { renderRatingChart } from './rating-chart.js';

const LAYERS = ['raw', 'bronze', 'silver', 'gold'];
const ICONS = { fresh: '✓', stale: '●', missing: '○', failed: '✗', running: '↻' };
const $ = (sel) => document.querySelector(sel);
const state = { assets: [], selected: null, gridSeason: null, seasonsLoaded: false, chartTeams: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function say(text, isError = false) {
  const m = $('#message');
  m.textContent = text;
  m.classList.toggle('error', isError);
}

function authHeaders() {
  const token = sessionStorage.getItem('cbbdToken');
  return token ? { authorization: `Bearer ${token}` } : {};
}

// Beyond loopback the server wants its token on every API call: ask once, keep it for this tab.
function askForToken() {
  const entered = prompt('This server requires its UI token (CBBD_UI_TOKEN):');
  if (entered) sessionStorage.setItem('cbbdToken', entered);
  return Boolean(entered);
}

async function api(path, init) {
  const headers = { 'content-type': 'application/json', ...authHeaders(), ...(init?.headers ?? {}) };
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 && askForToken()) return api(path, init);
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

function params() {
  const selection = $('#selection').value.trim() || '*';
  // Until the server has said which seasons there are, the one in the address is the filter.
  const season = state.seasonsLoaded ? $('#season').value : (new URL(location.href).searchParams.get('season') ?? '').replace('all', '');
  return { selection, season };
}

async function loadAssets() {
  const { selection, season } = params();
  const q = new URLSearchParams({ selection, ...(season && { season }) });
  try {
    const body = await api(`/api/assets?${q}`);
    state.assets = body.assets;
    $('#source').textContent = body.source ?? '';
    renderGraph();
    if (state.selected && state.assets.some((a) => a.key === state.selected)) await openPanel(state.selected, false);
    document.body.dataset.ready = 'true';
  } catch (error) {
    say(error.message, true);
  }
}

function renderGraph() {
  const columns = $('#columns');
  columns.replaceChildren();
  const position = new Map();
  for (const layer of LAYERS) {
    const nodes = state.assets.filter((a) => a.layer === layer);
    // Order each column by where its upstream sits, so edges cross less.
    const rank = (a) => {
      const ups = a.deps.map((d) => position.get(d)).filter((p) => p !== undefined);
      return ups.length ? ups.reduce((s, p) => s + p, 0) / ups.length : 0;
    };
    nodes.sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key));
    nodes.forEach((a, i) => position.set(a.key, i));
    columns.append(el('div', { class: 'column', dataset: { layer } }, el('h2', {}, `${layer} (${nodes.length})`), nodes.map(nodeElement)));
  }
  requestAnimationFrame(drawEdges);
}

function nodeElement(a) {
  const c = a.counts;
  const counts = Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(' · ') || 'no partitions yet';
  return el('button', {
    class: `node state-${a.state}${state.selected === a.key ? ' selected' : ''}`,
    type: 'button', dataset: { key: a.key, state: a.state }, title: a.description ?? a.key,
    onclick: () => openPanel(a.key, true),
  }, el('span', { class: 'icon', 'aria-hidden': true }, ICONS[a.state]), el('span', { class: 'key' }, a.key), el('span', { class: 'label' }, a.state), el('span', { class: 'counts' }, counts));
}

function drawEdges() {
  const svg = $('#edges');
  const graph = $('#graph');
  svg.replaceChildren();
  const box = graph.getBoundingClientRect();
  svg.setAttribute('width', graph.scrollWidth);
  svg.setAttribute('height', graph.scrollHeight);
  const at = (key) => document.querySelector(`.node[data-key="${CSS.escape(key)}"]`);
  for (const a of state.assets) {
    const to = at(a.key);
    if (!to) continue;
    for (const dep of a.deps) {
      const from = at(dep);
      if (!from) continue;
      const f = from.getBoundingClientRect();
      const t = to.getBoundingClientRect();
      const x1 = f.right - box.left + graph.scrollLeft;
      const y1 = f.top + f.height / 2 - box.top + graph.scrollTop;
      const x2 = t.left - box.left + graph.scrollLeft;
      const y2 = t.top + t.height / 2 - box.top + graph.scrollTop;
      const mid = (x1 + x2) / 2;
      const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      path.setAttribute('d', `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
      if (state.selected === a.key || state.selected === dep) path.classList.add('hot');
      svg.append(path);
    }
  }
}

async function openPanel(key, fresh) {
  state.selected = key;
  if (fresh) {
    state.gridSeason = null;
    state.chartTeams = null;
  }
  document.querySelectorAll('.node').forEach((n) => n.classList.toggle('selected', n.dataset.key === key));
  drawEdges();
  const [layer, name] = key.split('/');
  const season = $('#season').value;
  const [detail, grid] = await Promise.all([
    api(`/api/assets/${layer}/${name}${season ? `?season=${season}` : ''}`),
    api(`/api/assets/${layer}/${name}/partitions${state.gridSeason ? `?season=${state.gridSeason}` : ''}`),
  ]);
  const panel = $('#panel');
  panel.hidden = false;
  panel.replaceChildren(
    el('h2', {}, key),
    el('p', {}, detail.description ?? ''),
    el('p', { class: 'muted' }, `code version ${detail.codeVersion} · partitioned by ${detail.partitioning.kind.replace('_', ' × ')}${detail.view ? ` · ${detail.view.state}` : ''}`),
    el('h3', {}, 'Partitions'),
    gridSection(key, grid),
    el('h3', {}, 'Why stale'),
    detail.staleReasons.length
      ? el('div', { class: 'reasons' }, detail.staleReasons.slice(0, 12).map((r) => el('p', { class: 'reason', dataset: { partition: r.partition } }, el('code', {}, r.partition === '-' ? '(all)' : r.partition), ` ${r.text}`)))
      : el('p', { class: 'muted' }, 'Nothing is stale.'),
    ...(detail.waiting?.games ? [el('p', { class: 'waiting' }, `Waiting under the call budget: ${detail.waiting.games} game(s)${detail.waiting.oldest ? `, the oldest from ${detail.waiting.oldest.slice(0, 10)}` : ''}; the next run asks for them first.`)] : []),
    ...(charted(detail) ? [el('h3', {}, 'Adjusted margin by rating date'), el('div', { id: 'rating-chart', class: 'chart' }, el('p', { class: 'muted' }, 'Loading…'))] : []),
    ...(previewed(key, detail) ? [el('h3', {}, 'Data preview'), el('div', { id: 'preview' }, el('p', { class: 'muted' }, 'Loading…'))] : []),
    el('h3', {}, 'Schema'),
    detail.schema
      ? el('table', {}, el('tr', {}, el('th', {}, 'column'), el('th', {}, 'type'), el('th', {}, 'key')), detail.schema.columns.map((c) => el('tr', {}, el('td', {}, c.name), el('td', {}, c.type), el('td', {}, detail.schema.primaryKey.includes(c.name) ? 'key' : ''))))
      : el('p', { class: 'muted' }, 'Raw JSON as the API returned it (no declared schema).'),
    el('h3', {}, 'Last materializations'),
    detail.materializations.length
      ? el('table', {}, el('tr', {}, ['partition', 'status', 'rows', 'duration', 'API calls', 'run'].map((h) => el('th', {}, h))),
        detail.materializations.map((m) => el('tr', {}, el('td', {}, m.partition), el('td', {}, m.status), el('td', {}, m.rows ?? ''), el('td', {}, m.durationMs === null ? '' : `${m.durationMs} ms`), el('td', {}, m.apiCalls ?? ''), el('td', {}, m.runId))))
      : el('p', { class: 'muted' }, 'Never materialized.'),
    el('h3', {}, 'Checks'),
    detail.checks.length
      ? el('table', {}, detail.checks.slice(0, 20).map((c) => el('tr', {}, el('td', {}, c.name), el('td', {}, c.partition), el('td', {}, c.passed ? 'passed' : 'FAILED'), el('td', {}, c.detail ?? ''))))
      : el('p', { class: 'muted' }, detail.declaredChecks.length ? `Declared: ${detail.declaredChecks.map((c) => c.name).join(', ')}; no results yet.` : 'No checks declared.'),
  );
  if (previewed(key, detail)) void loadPreview(key);
  if (charted(detail)) void loadChart(key);
}

// Tables only: raw assets are JSON bodies, and an asset without a schema writes no table.
const previewed = (key, detail) => !key.startsWith('raw/') && Boolean(detail.schema);
// Tables shaped like gold/team_adjusted_efficiencies: a team's adj_margin per rating date.
const charted = (detail) => detail.partitioning.kind === 'season_date' && ['teamId', 'team', 'adj_margin'].every((c) => detail.schema?.columns.some((col) => col.name === c));

/** Numbers to a few decimals per column, fewer as they grow (as `cbbd show` prints them); the rest as text. */
function previewCells(columns, rows) {
  const numeric = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
  return columns.map((c) => {
    const values = rows.map((r) => r[c]).filter((v) => v !== null && v !== undefined);
    const isNumber = values.length > 0 && values.every((v) => typeof v === 'number' || (typeof v === 'string' && numeric.test(v)));
    const numbers = isNumber ? values.map(Number) : [];
    const largest = Math.max(0, ...numbers.map(Math.abs));
    const decimals = !isNumber || numbers.every(Number.isInteger) ? 0 : largest >= 100 ? 1 : largest >= 10 ? 2 : 3;
    const show = (v) => (v === null || v === undefined ? '' : decimals ? Number(v).toFixed(decimals) : typeof v === 'object' ? JSON.stringify(v) : String(v));
    return { isNumber, show };
  });
}

async function loadPreview(key) {
  const [layer, name] = key.split('/');
  const season = $('#season').value;
  let content;
  try {
    const body = await api(`/api/assets/${layer}/${name}/preview?${new URLSearchParams({ limit: '25', ...(season && { season }) })}`);
    const cells = previewCells(body.columns, body.rows);
    const where = [body.season, body.date].filter((v) => v !== null).join(', ');
    const order = body.orderBy.map((t) => `${t.column}${t.descending ? ' desc' : ''}`).join(', ');
    content = [
      el('p', { class: 'muted' }, `${where ? `${where}: ` : ''}${body.rows.length} of ${body.totalRows} rows${order ? `, by ${order}` : ''} (cbbd show ${key}${body.season ? ` --season ${body.season}` : ''})`),
      el('div', { class: 'preview-scroll' }, el('table', { class: 'preview' },
        el('tr', {}, body.columns.map((c, i) => el('th', { class: cells[i].isNumber ? 'num' : null }, c))),
        body.rows.map((r) => el('tr', {}, body.columns.map((c, i) => el('td', { class: cells[i].isNumber ? 'num' : null }, cells[i].show(r[c]))))))),
    ];
  } catch (error) {
    content = [el('p', { class: 'muted' }, error.message)];
  }
  const box = $('#preview');
  if (state.selected !== key || !box) return;
  box.replaceChildren(...content);
  box.dataset.loaded = 'true';
}

async function loadChart(key) {
  const [layer, name] = key.split('/');
  const season = $('#season').value;
  const q = new URLSearchParams({ ...(season && { season }), ...(state.chartTeams && { teams: state.chartTeams.join(',') }) });
  const box = $('#rating-chart');
  try {
    const body = await api(`/api/assets/${layer}/${name}/rating-history?${q}`);
    if (state.selected !== key || !box.isConnected) return;
    renderRatingChart(box, body, (teams) => {
      state.chartTeams = teams;
      void loadChart(key);
    });
  } catch (error) {
    if (!box.isConnected) return;
    box.replaceChildren(el('p', { class: 'muted' }, error.message));
    box.dataset.loaded = 'true';
  }
}

function gridSection(key, grid) {
  const wrap = el('div', { class: 'partitions', dataset: { key } });
  if (grid.partitioning === 'season_date' && grid.seasons.length) {
    const select = el('select', { 'aria-label': 'season of the partition grid', onchange: async (e) => { state.gridSeason = e.target.value; await openPanel(key, false); } },
      grid.seasons.map((s) => el('option', { value: s, selected: s === grid.season }, String(s))));
    wrap.append(el('label', {}, 'Season', select));
  }
  const counts = {};
  for (const p of grid.partitions) counts[p.state] = (counts[p.state] ?? 0) + 1;
  wrap.append(
    el('p', { class: 'muted' }, `${grid.partitions.length} partition(s) shown: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ') || 'none yet'}`),
    el('div', { class: 'grid', role: 'list' }, grid.partitions.map((p) => el('div', {
      class: `cell state-${p.state}`, role: 'listitem', dataset: { partition: p.key, state: p.state },
      title: `${p.key === '-' ? '(all)' : p.key}: ${p.state}${p.reason ? ` (${p.reason})` : ''}`,
    }))),
  );
  return wrap;
}

async function loadRuns() {
  const { runs } = await api('/api/runs?limit=15');
  const list = $('#run-list');
  list.replaceChildren(runs.length
    ? el('table', {}, el('tr', {}, ['run', 'status', 'selection', 'started', 'partitions'].map((h) => el('th', {}, h))),
      runs.map((r) => el('tr', { dataset: { run: r.id, status: r.status }, onclick: () => openRun(r.id) },
        el('td', {}, r.id), el('td', {}, r.status), el('td', {}, r.selection), el('td', {}, new Date(r.startedAt).toLocaleString()), el('td', {}, r.partitionsTotal))))
    : el('p', { class: 'muted' }, 'No runs yet.'));
}

async function openRun(id) {
  const body = await api(`/api/runs/${id}`);
  const detail = $('#run-detail');
  detail.hidden = false;
  detail.dataset.run = id;
  detail.replaceChildren(
    el('h3', {}, `Run ${id}: ${body.run.status}`),
    el('table', {}, body.steps.slice(-40).map((s) => el('tr', {}, el('td', {}, s.asset), el('td', {}, s.partition), el('td', {}, s.status), el('td', {}, s.rows ?? '')))),
    el('h3', {}, 'Log'),
    el('ol', { id: 'run-log' }, body.events.slice(-60).map((e) => el('li', {}, `${new Date(e.at).toLocaleTimeString()} ${e.type}${e.payload?.asset ? ` ${e.payload.asset}` : ''}${e.payload?.status ? ` ${e.payload.status}` : ''}`))),
  );
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    await loadAssets();
    await loadRuns();
    const open = $('#run-detail').dataset.run;
    if (open) await openRun(open);
  }, 150);
}

function onRunEvent(type, data) {
  if (!['run_started', 'run_replanned', 'step_started', 'step_finished', 'run_finished'].includes(type)) return;
  if (type === 'step_finished') say(`Run ${data.runId}: ${data.asset} ${data.status}`);
  if (type === 'run_finished') say(`Run ${data.runId} ${data.status}: ${data.succeeded} materialized, ${data.failed} failed, ${data.skipped} skipped.`, data.status !== 'succeeded');
  refreshSoon();
}

// Server-sent events read with fetch rather than EventSource, which cannot send the token header.
async function listen() {
  let after = '';
  for (;;) {
    try {
      const res = await fetch(`/api/events${after && `?after=${after}`}`, { headers: authHeaders() });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const fields = Object.fromEntries(buffer.slice(0, end).split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
          buffer = buffer.slice(end + 2);
          if (fields.id) after = fields.id;
          if (fields.event && fields.data) onRunEvent(fields.event, JSON.parse(fields.data));
        }
      }
    } catch {
      // The server restarted or refused the stream: try again shortly, as EventSource would.
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

// The seasons of the configured window (config.yaml `seasons`), newest first, as the server reports them. The filter
// starts on the newest season that has materializations (or the configured current one on an empty lakehouse):
// seasons nobody built would otherwise make every node look out of date. `?season=all` in the address asks for all.
async function loadSeasons() {
  const seasons = await api('/api/seasons');
  const select = $('#season');
  const built = new Set(seasons.built);
  for (let s = seasons.last; s >= seasons.first; s--) select.append(el('option', { value: s }, built.has(s) ? `${s} · built` : String(s)));
  const wanted = new URL(location.href).searchParams.get('season');
  select.value = wanted === 'all' ? '' : wanted ?? String(seasons.default);
  state.seasonsLoaded = true;
}

async function init() {
  const url = new URL(location.href);
  if (url.searchParams.get('selection')) $('#selection').value = url.searchParams.get('selection');
  $('#filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const { selection, season } = params();
    history.replaceState(null, '', `?${new URLSearchParams({ selection, season: season || 'all' })}`);
    void loadAssets();
  });
  $('#materialize').addEventListener('click', async () => {
    const { selection, season } = params();
    try {
      const body = await api('/api/materialize', { method: 'POST', body: JSON.stringify({ selection, season: season ? Number(season) : 'all' }) });
      say(body.runId ? `Run ${body.runId} started.` : 'Everything selected is fresh: nothing to materialize.');
      refreshSoon();
    } catch (error) {
      say(error.message, true);
    }
  });
  window.addEventListener('resize', () => requestAnimationFrame(drawEdges));
  void listen();
  await loadSeasons().catch((error) => say(error.message, true));
  await Promise.all([loadAssets(), loadRuns()]);
}

void init();
