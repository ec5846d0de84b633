// The adjusted-margin chart of the asset panel: one line per team over the season's rating dates, drawn as SVG by
// this module (no library, no inline style, so the page's CSP holds), with a legend that removes a team and a search
// box that adds any team of the season by name.
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 420;
const HEIGHT = 260;
const PAD = { left: 36, right: 10, top: 10, bottom: 24 };
// Ten distinguishable colours (Tableau 10), then they repeat: at most 30 teams are drawn.
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function html(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, String(v));
  }
  node.append(...children);
  return node;
}

/** Round steps for an axis: 1, 2 or 5 times a power of ten, about `count` of them over [lo, hi]. */
function ticks(lo, hi, count = 5) {
  const raw = (hi - lo) / count || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

const shortDate = (iso) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** The SVG: axes, a zero line, and one path per series (`path.series`, with data-team-id). */
function chartSvg(history) {
  const { dates, series } = history;
  const values = series.flatMap((s) => s.values).filter((v) => v !== null);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const x = (i) => PAD.left + (dates.length > 1 ? (i / (dates.length - 1)) * (WIDTH - PAD.left - PAD.right) : (WIDTH - PAD.left - PAD.right) / 2);
  const y = (v) => PAD.top + (hi === lo ? 0.5 : (hi - v) / (hi - lo)) * (HEIGHT - PAD.top - PAD.bottom);
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': `adj_margin by rating date, season ${history.season}` });
  for (const t of ticks(lo, hi)) {
    root.append(svg('line', { class: t === 0 ? 'zero' : 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(t), y2: y(t) }));
    root.append(svg('text', { class: 'tick', x: PAD.left - 4, y: y(t) + 3, 'text-anchor': 'end' }, String(t)));
  }
  for (const i of [...new Set([0, Math.floor((dates.length - 1) / 2), dates.length - 1])]) {
    root.append(svg('text', { class: 'tick', x: x(i), y: HEIGHT - 6, 'text-anchor': i === 0 ? 'start' : i === dates.length - 1 ? 'end' : 'middle' }, shortDate(dates[i])));
  }
  series.forEach((s, n) => {
    // A gap where a team has no rating that day: the line restarts after it.
    let d = '';
    let pen = 'M';
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = 'M';
        return;
      }
      d += `${pen}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = 'L';
    });
    const path = svg('path', { class: 'series', d: d.trim(), stroke: COLOURS[n % COLOURS.length], 'data-team-id': s.teamId, 'data-team': s.team });
    // Past ten teams the colours repeat: the later lines are dashed, as are their legend swatches.
    if (n >= COLOURS.length) path.setAttribute('stroke-dasharray', '5 3');
    path.append(svg('title', {}, `${s.team}: ${s.values.filter((v) => v !== null).at(-1)?.toFixed(1) ?? '–'} on ${shortDate(dates.at(-1))}`));
    root.append(path);
  });
  return root;
}

/**
 * Fill `container` with the chart of `history` (the answer of /api/assets/…/rating-history). `onTeams(ids)` is called
 * with the team ids to draw when the user adds a team by name or removes one from the legend.
 */
export function renderRatingChart(container, history, onTeams) {
  const shown = history.series.map((s) => s.teamId);
  const byName = new Map(history.teams.map((t) => [t.team.toLowerCase(), t]));
  const listId = `chart-teams-${Math.random().toString(36).slice(2)}`;
  const search = html('input', { type: 'search', list: listId, placeholder: 'add a team…', 'aria-label': 'add a team to the chart by name', spellcheck: 'false' });
  const add = () => {
    const team = byName.get(search.value.trim().toLowerCase());
    if (team && !shown.includes(team.teamId)) onTeams([...shown, team.teamId]);
  };
  search.addEventListener('change', add);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') add();
  });
  const legend = html('ul', { class: 'chart-legend' }, ...history.series.map((s, n) => {
    const latest = s.values.filter((v) => v !== null).at(-1);
    return html('li', { dataset: { teamId: s.teamId } },
      html('span', { class: `swatch swatch-${n % COLOURS.length}${n >= COLOURS.length ? ' dashed' : ''}`, 'aria-hidden': 'true' }),
      `${s.team} ${latest === undefined ? '' : latest.toFixed(1)}`,
      html('button', { type: 'button', class: 'remove', title: `remove ${s.team}`, 'aria-label': `remove ${s.team}`, onclick: () => onTeams(shown.filter((id) => id !== s.teamId)) }, '×'));
  }));
  container.replaceChildren(
    html('p', { class: 'muted' }, `adj_margin (points per 100 possessions over an average team) by rating date, season ${history.season}; ${history.series.length} of ${history.teams.length} teams`),
    chartSvg(history),
    legend,
    html('label', { class: 'chart-search' }, 'Team', search, html('datalist', { id: listId }, ...history.teams.map((t) => html('option', { value: t.team }, `${t.conference ?? ''} · ${t.latest?.toFixed(1) ?? ''} (#${t.place})`)))),
  );
  container.dataset.loaded = 'true';
}
