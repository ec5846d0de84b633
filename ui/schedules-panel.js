// The schedules view: each schedule's cron and time zone, on or off (a switch persisted in the run log, so
// `cbbd schedule` and every `cbbd serve` agree), its next tick, its last tick with the outcome (and why), the command
// it runs, and its tick history. Its own module and element, so the lineage page's script does not need to know it;
// it refreshes every 30 s and when a run finishes.
import { askForToken, refreshOnMessages, whenReady } from './dom.js';

const section = document.createElement('section');
section.id = 'schedules';
section.setAttribute('aria-label', 'schedules');

function headers() {
  const token = sessionStorage.getItem('cbbdToken');
  return token ? { authorization: `Bearer ${token}` } : {};
}

const when = (iso) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

function cell(text, title) {
  const td = document.createElement('td');
  td.textContent = text;
  if (title) td.title = title;
  return td;
}

function describeTick(t) {
  return `${when(t.plannedAt)} ${t.outcome}${t.missed ? ' (missed, run at start-up)' : ''}${t.runId ? ` · ${t.runId}` : ''}${t.reason ? ` · ${t.reason}` : ''}`;
}

function render(body) {
  const heading = document.createElement('h2');
  heading.textContent = 'Schedules';
  const who = document.createElement('p');
  who.className = 'muted';
  const mine = body.thisServer?.state;
  who.textContent = body.scheduler
    ? `Run by ${body.scheduler.label} (pid ${body.scheduler.pid} on ${body.scheduler.host}) since ${when(body.scheduler.since)}` + (mine === 'standby' ? '; this server waits as a standby.' : '.')
    : mine === 'off' ? 'This server does not run the schedules (--no-schedules), and no scheduler is running: start cbbd schedule or cbbd serve.' : 'No scheduler is running.';
  if (!body.schedules.length) {
    section.replaceChildren(heading, who);
    return;
  }
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of ['schedule', 'on', 'when', 'next tick', 'last tick', 'command']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const rows = table.createTBody();
  for (const s of body.schedules) {
    const tr = rows.insertRow();
    tr.dataset.schedule = s.name;
    tr.dataset.outcome = s.lastTick?.outcome ?? 'none';
    tr.title = s.recentTicks.length ? s.recentTicks.map(describeTick).join('\n') : 'No tick yet.';
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = s.enabled ? 'primary' : '';
    toggle.dataset.action = 'toggle';
    toggle.setAttribute('aria-pressed', String(s.enabled));
    toggle.textContent = s.enabled ? 'On' : 'Off';
    toggle.title = `${s.enabled ? 'Turn off' : 'Turn on'}${s.switchedBy ? ` (switched by ${s.switchedBy} at ${when(s.switchedAt)})` : ''}`;
    toggle.addEventListener('click', () => void switchSchedule(s.name, !s.enabled));
    const runNow = document.createElement('button');
    runNow.type = 'button';
    runNow.dataset.action = 'run-now';
    runNow.textContent = 'Run now';
    runNow.title = `Tick ${s.name} now: cbbd ${s.command.join(' ')}`;
    runNow.addEventListener('click', () => void runSchedule(s.name));
    const onCell = document.createElement('td');
    onCell.append(toggle, ' ', runNow);
    tr.dataset.enabled = String(s.enabled);
    tr.append(
      cell(s.name),
      onCell,
      cell(`${s.cron} (${s.timezone})`),
      cell(s.enabled ? when(s.nextTick) : 'disabled'),
      cell(s.lastTick ? `${when(s.lastTick.plannedAt)} ${s.lastTick.outcome}${s.lastTick.missed ? ' (missed)' : ''}` : 'none yet', s.lastTick?.reason ?? undefined),
      cell(`cbbd ${s.command.join(' ')}`),
    );
  }
  // Tick history: every schedule's recent ticks, newest first.
  const history = document.createElement('table');
  history.id = 'tick-history';
  const hh = history.createTHead().insertRow();
  for (const h of ['schedule', 'planned', 'outcome', 'run', 'reason']) {
    const th = document.createElement('th');
    th.textContent = h;
    hh.append(th);
  }
  const hb = history.createTBody();
  const ticks = body.schedules.flatMap((s) => s.recentTicks.map((t) => ({ ...t, schedule: s.name }))).sort((a, b) => b.plannedAt.localeCompare(a.plannedAt));
  for (const t of ticks) {
    const tr = hb.insertRow();
    tr.dataset.outcome = t.outcome;
    tr.append(cell(t.schedule), cell(when(t.plannedAt)), cell(`${t.outcome}${t.missed ? ' (missed)' : ''}`), cell(t.runId ?? ''), cell(t.reason ?? ''));
  }
  const historyHeading = document.createElement('h3');
  historyHeading.textContent = 'Tick history';
  const none = document.createElement('p');
  none.className = 'muted';
  none.textContent = 'No tick yet.';
  section.replaceChildren(heading, who, table, historyHeading, ticks.length ? history : none);
}

// A change without the token (or with a wrong one) is refused with 401: ask for it once and try again.
async function write(path, body) {
  const send = () => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers() }, body });
  const response = await send();
  return response.status === 401 && askForToken() ? send() : response;
}

async function runSchedule(name) {
  const response = await write(`/api/schedules/${encodeURIComponent(name)}/run`, '{}');
  const body = await response.json().catch(() => ({}));
  const message = document.getElementById('message');
  if (message) message.textContent = response.ok ? `Schedule ${name}: a tick started now; its outcome shows in the tick history.` : body.error ?? `HTTP ${response.status}`;
  setTimeout(() => void refresh(), 1_000);
}

async function switchSchedule(name, enabled) {
  const response = await write(`/api/schedules/${encodeURIComponent(name)}/enabled`, JSON.stringify({ enabled }));
  const message = document.getElementById('message');
  const body = await response.json().catch(() => ({}));
  if (message) message.textContent = response.ok ? `Schedule ${name} turned ${enabled ? 'on' : 'off'} (for every scheduler of this run log).` : body.error ?? `HTTP ${response.status}`;
  await refresh();
}

async function refresh() {
  try {
    const response = await fetch('/api/schedules', { headers: headers() });
    if (response.ok) render(await response.json());
  } catch {
    // The panel is a courtesy: the page works without it.
  }
}

function mount() {
  const slot = document.getElementById('schedules-slot');
  if (!slot) return;
  slot.append(section);
  void refresh();
  setInterval(refresh, 30_000);
  refreshOnMessages(refresh, 2_000);
}

whenReady(mount);
