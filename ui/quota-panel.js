// The month's API budget, a small panel under the header: calls this month and today (from the run log's ledger),
// the last remaining figure the API reported, what a run may spend, and the pace. Its own module and element, so the
// lineage page's script does not need to know it; it refreshes every minute and when a run finishes.
import { refreshOnMessages, whenReady } from './dom.js';
const panel = document.createElement('section');
panel.id = 'quota';
panel.setAttribute('aria-label', 'API quota this month');
panel.className = 'muted';

function headers() {
  const token = sessionStorage.getItem('cbbdToken');
  return token ? { authorization: `Bearer ${token}` } : {};
}

const n = (x) => Number(x).toLocaleString('en-US');

function render(q) {
  const parts = [`API calls in ${q.month}: ${n(q.callsThisMonth)} (today ${n(q.callsToday)})`];
  if (!q.lastFigure) parts.push('remaining: not reported yet');
  else if (!q.lastFigure.thisMonth) parts.push(`remaining: ${n(q.lastFigure.remaining)} last month (reset since)`);
  else parts.push(`remaining: ${n(q.lastFigure.remaining)} as of ${q.lastFigure.at.slice(0, 16).replace('T', ' ')} UTC` + (q.budget ? `, ${n(q.budget.available)} usable (reserve ${n(q.budget.reserve)})` : ''));
  if (q.pace) parts.push(q.pace.runsOutOn ? `at this pace it runs out about ${q.pace.runsOutOn}` : `at this pace about ${n(q.pace.projectedMonthCalls)} this month`);
  panel.textContent = parts.join(' · ');
  const top = [...q.endpoints].sort((a, b) => b.month - a.month).slice(0, 8);
  panel.title = top.map((e) => `${e.endpoint}: ${n(e.month)} this month, ${n(e.today)} today`).join('\n');
}

async function refresh() {
  try {
    const response = await fetch('/api/quota', { headers: headers() });
    if (response.ok) render(await response.json());
  } catch {
    // The panel is a courtesy: the page works without it.
  }
}

function mount() {
  const header = document.querySelector('header');
  if (!header) return;
  header.append(panel);
  void refresh();
  setInterval(refresh, 60_000);
  // A finished run changes the month's figures: the page's message line says so.
  refreshOnMessages(refresh, 2_000);
}

whenReady(mount);
