// The ratings backtest: how well our ratings predicted a season's games before they were played, beside a plain
// least-squares fit, our SRS and the closing line (gold/ratings_backtest), and each predictor's error month by month
// (gold/ratings_backtest_monthly): what a user looks at before trusting the ratings. Its own module and element; it
// mounts itself in #backtest-slot, follows the page's season filter, and refreshes when a run finishes.
import { refreshOnMessages, whenReady } from './dom.js';
const section = document.createElement('section');
section.id = 'backtest';
section.setAttribute('aria-label', 'ratings backtest');

const SVG = 'http://www.w3.org/2000/svg';
const LABELS = {
  ours: 'our ratings (pred_margin)',
  ours_no_garbage: 'ours, garbage time out',
  srs: 'our SRS',
  massey: 'least-squares fit (Massey)',
  line: 'closing line',
};
const COLORS = { ours: '#1565c0', ours_no_garbage: '#7fa7dd', srs: '#8e24aa', massey: '#e6a100', line: '#2e7d32' };
const ORDER = ['ours', 'ours_no_garbage', 'srs', 'massey', 'line'];

function headers() {
  const token = sessionStorage.getItem('cbbdToken');
  return token ? { authorization: `Bearer ${token}` } : {};
}

const num = (x, digits = 2) => (x === null || x === undefined || x === '' ? '—' : Number(x).toFixed(digits));
const pct = (x) => (x === null || x === undefined || x === '' ? '—' : `${(100 * Number(x)).toFixed(1)}%`);
const signed = (x) => (x === null || x === undefined || x === '' ? '—' : `${Number(x) > 0 ? '+' : ''}${(100 * Number(x)).toFixed(1)}%`);

// Styled through the CSSOM (the page's CSP allows no inline style attributes; style.css belongs to the page).
const padded = (el, align) => Object.assign(el.style, { padding: '3px 10px', textAlign: align, borderBottom: '1px solid #eceef2', whiteSpace: 'nowrap' });

function cell(text, title, align = 'right') {
  const td = document.createElement('td');
  td.textContent = text;
  if (title) td.title = title;
  padded(td, align);
  return td;
}

function summaryTable(rows) {
  const table = document.createElement('table');
  table.id = 'backtest-summary';
  Object.assign(table.style, { borderCollapse: 'collapse', fontSize: '13px', margin: '8px 0' });
  const head = table.createTHead().insertRow();
  const columns = [
    ['predictor', ''], ['games', 'final Division I games from December 1 with a line and every prediction'],
    ['MAE', 'mean absolute error of the predicted home margin, points'], ['RMSE', 'root mean square error, points'],
    ['bias', 'mean of predicted minus actual home margin'], ['winner', 'share of games whose winner it picked'],
    ['MAE vs line', 'mean distance from the closing line, points'],
    ['ATS', 'betting the side it favours where it differs from the line by more than 3 points: won–lost (pushes apart)'],
    ['ROI at −110', 'return on those bets at −110'],
  ];
  for (const [name, title] of columns) {
    const th = document.createElement('th');
    th.textContent = name;
    if (title) th.title = title;
    padded(th, name === 'predictor' ? 'left' : 'right');
    head.append(th);
  }
  const body = table.createTBody();
  const sorted = [...rows].sort((a, b) => ORDER.indexOf(a.predictor) - ORDER.indexOf(b.predictor));
  for (const r of sorted) {
    const tr = body.insertRow();
    tr.dataset.predictor = r.predictor;
    const name = cell(LABELS[r.predictor] ?? r.predictor, r.predictor, 'left');
    const swatch = document.createElement('span');
    swatch.textContent = '■ ';
    swatch.style.color = COLORS[r.predictor] ?? '#555';
    name.prepend(swatch);
    const ats = r.ats_games === null || r.ats_games === undefined ? '—'
      : `${r.ats_wins}–${r.ats_losses}${Number(r.ats_pushes) ? ` (${r.ats_pushes} push${Number(r.ats_pushes) > 1 ? 'es' : ''})` : ''} · ${pct(r.ats_win_pct)}`;
    tr.append(name, cell(String(r.games)), cell(num(r.mae)), cell(num(r.rmse)), cell(num(r.bias)), cell(pct(r.winner_accuracy)),
      cell(num(r.mae_vs_line)), cell(ats), cell(signed(r.roi_110)));
  }
  return table;
}

/** RMSE by month, one line per predictor. */
function monthlyChart(rows) {
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const width = 640;
  const height = 200;
  const pad = { left: 40, right: 200, top: 10, bottom: 26 };
  const values = rows.map((r) => Number(r.rmse)).filter(Number.isFinite);
  const svg = document.createElementNS(SVG, 'svg');
  svg.id = 'backtest-chart';
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'RMSE of each predictor by month');
  if (!months.length || !values.length) return svg;
  const lo = Math.floor(Math.min(...values) - 0.5);
  const hi = Math.ceil(Math.max(...values) + 0.5);
  const x = (i) => pad.left + (months.length === 1 ? 0 : (i * (width - pad.left - pad.right)) / (months.length - 1));
  const y = (v) => pad.top + ((hi - v) * (height - pad.top - pad.bottom)) / (hi - lo || 1);
  const add = (name, attributes, text) => {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    svg.append(el);
    return el;
  };
  for (let v = lo; v <= hi; v += Math.max(1, Math.round((hi - lo) / 5))) {
    add('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), stroke: '#eceef2' });
    add('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#666' }, String(v));
  }
  months.forEach((m, i) => add('text', { x: x(i), y: height - 8, 'text-anchor': 'middle', 'font-size': 10, fill: '#666' }, m));
  ORDER.forEach((predictor, k) => {
    const points = months.map((m, i) => {
      const r = rows.find((row) => row.predictor === predictor && row.month === m);
      return r && Number.isFinite(Number(r.rmse)) ? [x(i), y(Number(r.rmse)), r] : undefined;
    }).filter(Boolean);
    if (!points.length) return;
    const color = COLORS[predictor];
    add('polyline', { points: points.map(([px, py]) => `${px},${py}`).join(' '), fill: 'none', stroke: color, 'stroke-width': predictor === 'ours' ? 2.5 : 1.5 });
    for (const [px, py, r] of points) {
      const dot = add('circle', { cx: px, cy: py, r: 3, fill: color });
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${LABELS[predictor]}, ${r.month}: RMSE ${num(r.rmse)}, MAE ${num(r.mae)} over ${r.games} games`;
      dot.append(title);
    }
    add('rect', { x: width - pad.right + 12, y: pad.top + k * 18, width: 10, height: 10, fill: color });
    add('text', { x: width - pad.right + 26, y: pad.top + k * 18 + 9, 'font-size': 11, fill: '#1d2330' }, LABELS[predictor]);
  });
  return svg;
}

function verdict(rows) {
  const by = Object.fromEntries(rows.map((r) => [r.predictor, r]));
  const ours = by.ours;
  if (!ours) return '';
  const parts = [`Our ratings missed the final margin by ${num(ours.mae, 1)} points on average (RMSE ${num(ours.rmse, 2)})`];
  if (by.line) parts.push(`the closing line by ${num(by.line.mae, 1)} (RMSE ${num(by.line.rmse, 2)})`);
  if (by.massey) parts.push(`a least-squares fit on the same games by ${num(by.massey.mae, 1)}`);
  let text = `${parts.join(', ')}.`;
  if (ours.ats_games) text += ` Where ours and the line differed by more than 3 points, its side went ${ours.ats_wins}–${ours.ats_losses} (${pct(ours.ats_win_pct)}, ROI ${signed(ours.roi_110)} at −110; 52.4% breaks even).`;
  return text;
}

function render(body) {
  const heading = document.createElement('h2');
  heading.textContent = `Ratings backtest · season ${body.season ?? ''}`;
  const about = document.createElement('p');
  about.className = 'muted';
  about.textContent = 'How each predictor called the season\'s final Division I games before they were played (gold/ratings_backtest: games from December 1 with a line). Lower errors are better.';
  const summary = document.createElement('p');
  summary.id = 'backtest-verdict';
  summary.textContent = verdict(body.predictors);
  Object.assign(summary.style, { maxWidth: '900px', fontSize: '14px' });
  const monthHeading = document.createElement('h3');
  monthHeading.textContent = 'Error by month (RMSE of the home margin, points; every game with a line)';
  section.replaceChildren(heading, about, summary, summaryTable(body.predictors), monthHeading, monthlyChart(body.monthly));
}

function renderMessage(text) {
  const heading = document.createElement('h2');
  heading.textContent = 'Ratings backtest';
  const p = document.createElement('p');
  p.className = 'muted';
  p.textContent = text;
  section.replaceChildren(heading, p);
}

async function refresh() {
  try {
    const season = document.getElementById('season')?.value;
    const response = await fetch(`/api/backtest${season ? `?season=${encodeURIComponent(season)}` : ''}`, { headers: headers() });
    const body = await response.json().catch(() => ({}));
    if (response.ok) render(body);
    else renderMessage(body.error ?? `No backtest yet (HTTP ${response.status}).`);
  } catch {
    // The panel is a courtesy: the page works without it.
  }
}

function mount() {
  const slot = document.getElementById('backtest-slot') ?? document.querySelector('main');
  if (!slot) return;
  slot.append(section);
  void refresh();
  document.getElementById('season')?.addEventListener('change', () => void refresh());
  refreshOnMessages(refresh, 5_000);
}

whenReady(mount);
