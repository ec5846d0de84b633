// The lineage page: the asset graph (a layered layout, zoom, pan, search, focus), an asset's side sheet (why stale,
// the partitions heatmap, preview, chart, schema, history), runs with their pages, schedules. Plain browser modules
// served by the app itself: no CDN, works with no network.
import { $, api, authHeaders, el, say } from './dom.js';
import { createGraphView } from './graph-view.js';
import { renderHeatmap } from './heatmap.js';
import { planThenRun } from './plan-dialog.js';
import { renderRatingChart } from './rating-chart.js';
import { renderBackfills } from './backfills-panel.js';
import { createRunPage, renderRunList } from './runs-view.js';

const state = { assets: [], selected: null, seasonsLoaded: false, chartTeams: null };

function params() {
  const selection = $('#selection').value.trim() || '*';
  // Until the server has said which seasons there are, the one in the address is the filter.
  const season = state.seasonsLoaded ? $('#season').value : (new URL(location.href).searchParams.get('season') ?? '').replace('all', '');
  return { selection, season };
}

const graph = createGraphView($('#graph'), { onSelect: (key) => void openPanel(key, true) });

async function loadAssets() {
  const { selection, season } = params();
  const q = new URLSearchParams({ selection, ...(season && { season }) });
  try {
    const body = await api(`/api/assets?${q}`);
    state.assets = body.assets;
    $('#source').textContent = body.source ?? '';
    graph.update(state.assets);
    if (state.selected && state.assets.some((a) => a.key === state.selected)) await openPanel(state.selected, false);
    document.body.dataset.ready = 'true';
  } catch (error) {
    say(error.message, true);
  }
}

function closePanel() {
  state.selected = null;
  $('#panel').hidden = true;
  document.body.classList.remove('panel-open');
  graph.select(null);
  $('#focus-up').disabled = true;
  $('#focus-down').disabled = true;
}

async function openPanel(key, fresh) {
  if (key.startsWith('group:')) return;
  state.selected = key;
  if (fresh) state.chartTeams = null;
  const panel = $('#panel');
  panel.hidden = false;
  document.body.classList.add('panel-open');
  graph.select(key);
  $('#focus-up').disabled = false;
  $('#focus-down').disabled = false;
  const [layer, name] = key.split('/');
  const season = $('#season').value;
  const detail = await api(`/api/assets/${layer}/${name}${season ? `?season=${season}` : ''}`);
  if (state.selected !== key) return;
  const keepScroll = fresh ? 0 : panel.scrollTop;
  panel.replaceChildren(
    el('h2', {}, el('span', { class: 'title', title: key }, key), el('button', { type: 'button', id: 'panel-close', 'aria-label': 'close the asset panel', onclick: closePanel }, '×')),
    el('p', {}, detail.description ?? ''),
    el('p', { class: 'muted' }, `code version ${detail.codeVersion} · partitioned by ${detail.partitioning.kind.replace('_', ' × ')}${detail.view ? ` · ${detail.view.state}` : ''}`),
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'panel-upstream', onclick: () => focusOn(`+${key}`) }, 'Focus upstream'),
      el('button', { type: 'button', id: 'panel-downstream', onclick: () => focusOn(`${key}+`) }, 'Focus downstream'),
      el('button', { type: 'button', id: 'panel-materialize', class: 'primary', onclick: () => void startPlanned({ selection: key, season }) }, 'Materialize stale…')),
    el('h3', {}, 'Partitions'),
    el('div', { id: 'heatmap', class: 'partitions', dataset: { key } }, el('p', { class: 'muted' }, 'Loading…')),
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
      ? el('table', { class: 'keys' }, el('tr', {}, ['partition', 'status', 'rows', 'duration', 'API calls', 'run'].map((h) => el('th', {}, h))),
        detail.materializations.map((m) => el('tr', {}, el('td', {}, m.partition), el('td', {}, m.status), el('td', {}, m.rows ?? ''), el('td', {}, m.durationMs === null ? '' : `${m.durationMs} ms`), el('td', {}, m.apiCalls ?? ''), el('td', {}, el('a', { href: `#/runs/${m.runId}` }, m.runId)))))
      : el('p', { class: 'muted' }, 'Never materialized.'),
    el('h3', {}, 'Checks'),
    detail.checks.length
      ? el('table', { class: 'keys-first' }, detail.checks.slice(0, 20).map((c) => el('tr', {}, el('td', {}, c.name), el('td', {}, c.partition), el('td', {}, c.passed ? 'passed' : 'FAILED'), el('td', {}, c.detail ?? ''))))
      : el('p', { class: 'muted' }, detail.declaredChecks.length ? `Declared: ${detail.declaredChecks.map((c) => c.name).join(', ')}; no results yet.` : 'No checks declared.'),
  );
  panel.scrollTop = keepScroll;
  renderHeatmap($('#heatmap'), key, season, (range) => void startPlanned({ selection: key, ...range })).catch((error) => {
    const box = $('#heatmap');
    if (box) box.replaceChildren(el('p', { class: 'muted' }, error.message));
  });
  if (previewed(key, detail)) void loadPreview(key);
  if (charted(detail)) void loadChart(key);
}

function focusOn(selection) {
  $('#selection').value = selection;
  graph.refit();
  $('#filters').requestSubmit();
}

async function startPlanned(request) {
  try {
    const runId = await planThenRun(api, request);
    if (runId) refreshSoon();
  } catch (error) {
    say(error.message, true);
  }
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


const runPage = createRunPage($('#run-detail'), { onStarted: (id) => (location.hash = `#/runs/${id}`) });

async function loadRuns() {
  await renderRunList($('#run-list'), (id) => (location.hash = `#/runs/${id}`));
}

// Views by the address's hash: #/lineage, #/runs, #/runs/<id>, #/schedules.
function route() {
  const [, view = 'lineage', id] = location.hash.split('/');
  for (const section of document.querySelectorAll('body > [data-view]')) section.hidden = section.dataset.view !== view;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === view);
  document.body.dataset.view = view;
  if (view === 'schedules') void renderBackfills($('#backfills')).catch((error) => say(error.message, true));
  if (view === 'runs') {
    $('#runs').hidden = Boolean(id);
    if (id) void runPage.open(id).catch((error) => say(error.message, true));
    else {
      runPage.close();
      void loadRuns().catch((error) => say(error.message, true));
    }
  }
}

let refreshTimer = null;
let refreshing = false;
// Events come in bursts during a run: one refresh at most every 400 ms, never two at once.
function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    if (refreshing) {
      refreshTimer = null;
      refreshSoon();
      return;
    }
    refreshing = true;
    try {
      if (document.body.dataset.view === 'runs') await (runPage.current ? runPage.refresh() : loadRuns());
      else if (document.body.dataset.view === 'schedules') await renderBackfills($('#backfills'));
      else await loadAssets();
    } catch {
      // A refresh that fails is tried again at the next event.
    } finally {
      refreshing = false;
      refreshTimer = null;
    }
  }, 400);
}

function onRunEvent(type, data) {
  if (type === 'step_finished') say(`Run ${data.runId}: ${data.asset} ${data.status}`);
  if (type === 'cancel_requested') say(`Run ${data.runId}: cancel requested by ${data.by}.`);
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

// The header's height, for the graph and the side sheet below it (it wraps on narrow windows).
function trackHeader() {
  const header = document.querySelector('header');
  const set = () => document.documentElement.style.setProperty('--header-h', `${Math.ceil(header.getBoundingClientRect().height)}px`);
  new ResizeObserver(set).observe(header);
  set();
}

async function init() {
  trackHeader();
  const url = new URL(location.href);
  if (url.searchParams.get('selection')) $('#selection').value = url.searchParams.get('selection');
  $('#filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const { selection, season } = params();
    history.replaceState(null, '', `?${new URLSearchParams({ selection, season: season || 'all' })}${location.hash}`);
    void loadAssets();
  });
  $('#materialize').addEventListener('click', () => {
    const { selection, season } = params();
    void startPlanned({ selection, season });
  });
  $('#focus-up').addEventListener('click', () => state.selected && focusOn(`+${state.selected}`));
  $('#focus-down').addEventListener('click', () => state.selected && focusOn(`${state.selected}+`));
  $('#focus-all').addEventListener('click', () => focusOn('*'));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('#panel').hidden && !$('#plan-dialog').open) closePanel();
  });
  window.addEventListener('hashchange', route);
  route();
  void listen();
  await loadSeasons().catch((error) => say(error.message, true));
  await loadAssets();
}

void init();
