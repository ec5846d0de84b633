// The schedules, a small table above the runs: each schedule's cron and time zone, its next tick, its last tick
// with the outcome (and why), and the command it runs; hovering a row lists its recent ticks. Its own module and
// element, so the lineage page's script does not need to know it; it refreshes every 30 s and when a run finishes.
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
  for (const h of ['schedule', 'when', 'next tick', 'last tick', 'command']) {
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
    tr.append(
      cell(s.name),
      cell(`${s.cron} (${s.timezone})`),
      cell(s.enabled ? when(s.nextTick) : 'disabled'),
      cell(s.lastTick ? `${when(s.lastTick.plannedAt)} ${s.lastTick.outcome}${s.lastTick.missed ? ' (missed)' : ''}` : 'none yet', s.lastTick?.reason ?? undefined),
      cell(`cbbd ${s.command.join(' ')}`),
    );
  }
  section.replaceChildren(heading, who, table);
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
  const runs = document.getElementById('runs');
  if (!runs) return;
  runs.before(section);
  void refresh();
  setInterval(refresh, 30_000);
  const message = document.getElementById('message');
  if (message) new MutationObserver(() => void refresh()).observe(message, { childList: true, characterData: true, subtree: true });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
