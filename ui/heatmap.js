// An asset's partitions as a heatmap: seasons down, game days across (season-partitioned assets: one row of
// seasons). Colour by state and stale reason; hover says the partition, its state, why, its last run and rows;
// a state filter fades the rest; click a cell, shift-click another: that range can be materialized (plan first).
import { api, el, n } from './dom.js';

const STATES = ['fresh', 'stale', 'missing', 'failed', 'running'];

function describe(c) {
  return `${c.key === '-' ? '(all)' : c.key}: ${c.state}${c.reason ? ` (${c.reason})` : ''}${c.lastRun ? ` · last run ${c.lastRun}` : ''}${c.rows !== null ? ` · ${n(c.rows)} rows` : ''}`;
}

/**
 * Render into `box` the heatmap of `key` for `season` ('' for all). `onRange({ seasonFrom, seasonTo, dateFrom,
 * dateTo, count })` is called when the user asks to materialize the selected range.
 */
export async function renderHeatmap(box, key, season, onRange) {
  const [layer, name] = key.split('/');
  const body = await api(`/api/assets/${layer}/${name}/heatmap${season ? `?season=${season}` : ''}`);
  const byKey = new Map(body.cells.map((c) => [c.key, c]));
  let filter = '';
  let anchor = null;
  let range = null;
  const tip = el('p', { class: 'hm-tip', id: 'hm-tip' }, 'Hover a partition; click one, shift-click another to select a range.');
  const counts = {};
  for (const c of body.cells) counts[c.state] = (counts[c.state] ?? 0) + 1;
  const select = el('select', { id: 'hm-filter', 'aria-label': 'show partitions in state' },
    el('option', { value: '' }, `all states (${body.cells.length})`),
    STATES.filter((s) => counts[s]).map((s) => el('option', { value: s }, `${s} (${counts[s]})`)));
  const materialize = el('button', { type: 'button', id: 'hm-materialize', class: 'primary', disabled: true }, 'Materialize range…');
  const rangeText = el('span', { class: 'muted', id: 'hm-range' }, '');

  // Rows and columns: season × day (MM-DD) for game days; one row of seasons; a single cell otherwise.
  const cell = (c) => el('span', {
    class: `hm state-${c.state}${c.reasonKind ? ` reason-${c.reasonKind}` : ''}`, role: 'gridcell', tabindex: '-1',
    dataset: { partition: c.key, state: c.state }, 'aria-label': describe(c),
  });
  let table;
  if (body.partitioning === 'season_date') {
    const seasons = body.seasons;
    table = el('table', { role: 'grid', 'aria-label': `partitions of ${key}: seasons by game day` },
      el('tr', {}, el('th', { scope: 'col' }, 'season \\ day'), body.days.map((d) => el('th', { class: 'day', scope: 'col' }, d))),
      seasons.map((s) => el('tr', {}, el('th', { scope: 'row' }, String(s)), body.days.map((d) => {
        const year = Number(d.slice(0, 2)) >= 7 ? s - 1 : s;
        const c = byKey.get(`${s}|${year}-${d}`);
        return el('td', {}, c ? cell(c) : null);
      }))));
  } else {
    const cells = body.cells;
    table = el('table', { role: 'grid', 'aria-label': `partitions of ${key}` },
      el('tr', {}, el('th', {}, body.partitioning === 'season' ? 'season' : ''), cells.map((c) => el('th', { class: 'day' }, c.key === '-' ? 'all' : c.key))),
      el('tr', {}, el('th', {}, ''), cells.map((c) => el('td', {}, cell(c)))));
  }

  const ordered = body.cells.map((c) => c.key).sort();
  const paint = () => {
    for (const span of table.querySelectorAll('.hm')) {
      const p = span.dataset.partition;
      span.classList.toggle('filtered', filter !== '' && span.dataset.state !== filter);
      span.classList.toggle('selected', range !== null && p >= range[0] && p <= range[1]);
    }
  };
  table.addEventListener('mouseover', (e) => {
    const span = e.target.closest('.hm');
    if (span) tip.textContent = describe(byKey.get(span.dataset.partition));
  });
  table.addEventListener('click', (e) => {
    const span = e.target.closest('.hm');
    if (!span) return;
    const p = span.dataset.partition;
    if (e.shiftKey && anchor !== null) range = [anchor, p].sort();
    else {
      anchor = p;
      range = [p, p];
    }
    const inRange = ordered.filter((k) => k >= range[0] && k <= range[1]);
    rangeText.textContent = `${range[0] === range[1] ? range[0] : `${range[0]} … ${range[1]}`} (${inRange.length} partition(s))`;
    materialize.disabled = range[0] === '-';
    paint();
  });
  select.addEventListener('change', () => {
    filter = select.value;
    paint();
  });
  materialize.addEventListener('click', () => {
    if (!range) return;
    const [a, b] = range;
    const sa = Number(a.slice(0, 4));
    const sb = Number(b.slice(0, 4));
    const da = a.includes('|') ? a.split('|')[1] : undefined;
    const db = b.includes('|') ? b.split('|')[1] : undefined;
    onRange({ seasonFrom: sa, seasonTo: sb, ...(da && { dateFrom: da }), ...(db && { dateTo: db }) });
  });
  box.replaceChildren(
    el('div', { class: 'filters-inline' }, el('label', {}, 'Show', select), materialize, rangeText),
    el('div', { class: 'heatmap' }, table),
    tip,
    el('p', { class: 'hm-legend muted' }, ...[
      ['state-fresh', 'fresh'], ['state-stale', 'stale (upstream changed)'], ['state-stale reason-code_changed', 'code changed'],
      ['state-stale reason-source_volatile', 'source may still change'], ['state-missing', 'missing'], ['state-failed', 'failed'], ['state-running', 'running'],
    ].map(([c, label]) => el('span', {}, el('span', { class: `hm ${c}` }), ` ${label}`))),
    el('p', { class: 'muted' }, `${body.cells.length} partition(s)${body.season ? ` of ${body.season}` : ''}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none yet'}`),
  );
  box.dataset.loaded = 'true';
}
