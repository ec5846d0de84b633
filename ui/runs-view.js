// Runs: the list (selection, seasons, start, duration, outcome, partitions, API calls) and a run's page: a timeline
// of its steps (one bar per asset), progress per season (a backfill's), its failures, its event log with levels,
// "Cancel" while it runs and "Re-run failed" once it has failures. Updated live from the page's event stream.
import { api, duration, el, n, post, say } from './dom.js';
import { confirmAndStart } from './plan-dialog.js';

const time = (ms) => new Date(ms).toLocaleString('en-GB', { hour12: false });

export async function renderRunList(box, onOpen) {
  const { runs } = await api('/api/runs?limit=30');
  box.replaceChildren(runs.length
    ? el('table', { id: 'runs-table', class: 'keys' },
      el('tr', {}, ['run', 'outcome', 'selection', 'seasons', 'started', 'duration', 'partitions', 'API calls'].map((h) => el('th', {}, h))),
      runs.map((r) => el('tr', { dataset: { run: r.id, status: r.status }, onclick: () => onOpen(r.id) },
        el('td', {}, el('a', { href: `#/runs/${r.id}` }, r.id)), el('td', { class: `status-${r.status}` }, r.status), el('td', {}, r.selection), el('td', {}, r.seasons ?? 'all'),
        el('td', {}, time(r.startedAt)), el('td', {}, r.durationMs === null ? 'running' : duration(r.durationMs)),
        el('td', {}, r.counts ? `${n(r.counts.succeeded ?? 0)} built, ${n(r.counts.failed ?? 0)} failed / ${n(r.partitionsTotal)}` : `${n(r.partitionsTotal)} planned`),
        el('td', {}, n(r.apiCalls)))))
    : el('p', { class: 'muted' }, 'No runs yet.'));
}

function timeline(body) {
  const start = body.run.startedAt;
  const end = body.run.endedAt ?? body.now;
  const span = Math.max(1, end - start);
  // A time axis under the bars: the run's start, its middle and its end (or now), as times since the start.
  const axis = el('div', { class: 'tl-row tl-axis', 'aria-hidden': 'true' }, el('span'), el('div', { class: 'tl-track' },
    ...[0, 0.5, 1].map((f) => {
      const tick = el('span', { class: 'tl-tick' }, f === 0 ? '0 s' : duration(Math.round(span * f)));
      tick.style.left = `${f * 100}%`;
      return tick;
    })));
  return el('div', { class: 'timeline', id: 'run-timeline', role: 'list' }, axis, body.steps.map((s) => {
    const status = s.counts.running ? 'running' : s.counts.failed ? 'failed' : s.counts.succeeded ? 'succeeded' : 'skipped';
    const bar = el('span', { class: `tl-bar ${status}`, title: `${s.asset}: ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}; ${duration((s.endedAt ?? body.now) - s.startedAt)}; ${n(s.rows)} rows` });
    bar.style.left = `${((s.startedAt - start) / span) * 100}%`;
    bar.style.width = `${Math.max(0.3, (((s.endedAt ?? body.now) - s.startedAt) / span) * 100)}%`;
    return el('div', { class: 'tl-row', role: 'listitem', dataset: { asset: s.asset, status } }, el('span', { class: 'name', title: s.asset }, s.asset), el('div', { class: 'tl-track' }, bar));
  }));
}

function eventText(e) {
  const p = e.payload ?? {};
  const bits = [p.asset, p.status, p.partition, p.by && `by ${p.by}`, p.error, p.reason].filter(Boolean);
  if (e.type === 'run_finished') bits.push(`${p.succeeded ?? 0} built, ${p.failed ?? 0} failed, ${p.skipped ?? 0} skipped`);
  return bits.join(' · ');
}

const MAX_LOG_ROWS = 200;

function eventRow(e) {
  return el('div', { class: `ev level-${e.level}`, dataset: { type: e.type, level: e.level } },
    el('span', {}, new Date(e.at).toLocaleTimeString('en-GB', { hour12: false })), el('span', {}, e.level), el('span', {}, e.type), el('span', { title: eventText(e) }, eventText(e)));
}

/**
 * The run page of `id` in `box`; `refresh()` brings it up to date. The event log is kept between refreshes and only
 * the new events are fetched and appended (a busy run records hundreds a second); the level filter is a class.
 */
export function createRunPage(box, { onStarted }) {
  let current = null;
  let level = '';
  let lastEvent = 0;
  let cancelSeen = null;
  let log = null;
  let head = null;
  let note = null;
  async function render(id) {
    if (current !== id) {
      lastEvent = 0;
      cancelSeen = null;
      log = el('div', { class: 'event-log', id: 'run-log', role: 'log' });
      head = el('div', { id: 'run-head' });
      note = el('p', { class: 'muted' });
    }
    current = id;
    const body = await api(`/api/runs/${id}${lastEvent ? `?after=${lastEvent}` : ''}`);
    if (current !== id) return;
    const fresh = body.events.filter((e) => e.id > lastEvent);
    if (fresh.length) lastEvent = fresh.at(-1).id;
    log.append(...fresh.map(eventRow));
    while (log.childElementCount > MAX_LOG_ROWS) log.firstElementChild.remove();
    cancelSeen = body.cancelRequested ?? cancelSeen;
    body.cancelRequested = cancelSeen;
    const r = body.run;
    const running = r.status === 'running';
    const levelSelect = el('select', { id: 'log-level', 'aria-label': 'event levels shown' },
      ['', 'info', 'warn', 'error'].map((l) => el('option', { value: l, selected: l === level }, l || 'all levels')));
    log.dataset.level = level;
    levelSelect.addEventListener('change', () => {
      level = levelSelect.value;
      log.dataset.level = level;
    });
    const cancel = el('button', { type: 'button', id: 'run-cancel', class: 'danger', disabled: !running || body.cancelRequested !== null }, body.cancelRequested ? 'Cancel requested…' : 'Cancel run');
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      try {
        await post(`/api/runs/${id}/cancel`);
        say(`Cancel requested for run ${id}: it takes no new step; the steps under way finish or fail whole.`);
      } catch (error) {
        say(error.message, true);
      }
      void render(id);
    });
    const rerun = el('button', { type: 'button', id: 'run-rerun', class: 'primary', disabled: running || !body.failuresTotal }, `Re-run failed (${body.failuresTotal})`);
    rerun.addEventListener('click', async () => {
      try {
        const started = await post(`/api/runs/${id}/rerun-failed`, {});
        if (started.runId) {
          say(`Run ${started.runId} started: re-running the failed partitions of ${id}.`);
          onStarted(started.runId);
        }
      } catch (error) {
        if (error.body?.needsConfirmation) {
          const runId = await confirmAndStart({ plan: error.body.plan, confirmation: error.body.confirmation }, `/api/runs/${id}/rerun-failed`, {});
          if (runId) onStarted(runId);
        } else say(error.message, true);
      }
    });
    box.hidden = false;
    // The log stays in place (re-attaching hundreds of rows costs a layout of them all); the rest is rebuilt.
    // replaceChildren would print a null as "null": the sections left out are dropped first.
    if (log.parentElement !== box) box.replaceChildren(head, el('h3', {}, 'Event log ', levelSelect), log, note);
    else box.querySelector('#log-level').replaceWith(levelSelect);
    note.textContent = log.childElementCount >= MAX_LOG_ROWS ? `The last ${MAX_LOG_ROWS} events.` : '';
    head.replaceChildren(...[
      el('p', {}, el('a', { href: '#/runs' }, '← all runs')),
      el('h2', {}, `Run ${id}: `, el('span', { class: `status-${r.status}`, id: 'run-status' }, r.status)),
      el('p', { class: 'muted' }, `${r.selection}${r.seasons ? ` · seasons ${r.seasons}` : ''} · started ${time(r.startedAt)} · ${running ? `running for ${duration(body.now - r.startedAt)}` : `took ${duration(r.durationMs)}`} · ${n(r.partitionsTotal)} partitions planned · ${n(r.apiCalls)} API calls${r.error ? ` · ${r.error}` : ''}`),
      body.cancelRequested ? el('p', { class: 'muted', id: 'run-cancel-note' }, `Cancel requested by ${body.cancelRequested.by ?? 'someone'} at ${time(body.cancelRequested.at)}.`) : null,
      el('div', { class: 'actions' }, cancel, rerun),
      el('h3', {}, 'Steps'),
      body.steps.length ? timeline(body) : el('p', { class: 'muted' }, 'No step has started yet.'),
      body.seasons.length > 1 ? [el('h3', {}, 'Progress by season'), el('table', { id: 'run-seasons', class: 'keys' },
        el('tr', {}, el('th', {}, 'season'), el('th', {}, 'progress'), el('th', {}, 'succeeded'), el('th', {}, 'failed'), el('th', {}, 'running'), el('th', {}, 'skipped')),
        body.seasons.map((s) => {
          const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
          const bar = el('span');
          bar.style.width = `${total ? ((s.counts.succeeded ?? 0) / total) * 100 : 0}%`;
          return el('tr', { dataset: { season: s.season } }, el('td', {}, s.season), el('td', {}, el('span', { class: 'progress' }, bar)),
            el('td', {}, s.counts.succeeded ?? 0), el('td', {}, s.counts.failed ?? 0), el('td', {}, s.counts.running ?? 0), el('td', {}, s.counts.skipped ?? 0));
        }))] : null,
      el('h3', {}, `Failures (${body.failuresTotal})`),
      body.failures.length
        ? el('table', { id: 'run-failures', class: 'keys-first' }, el('tr', {}, el('th', {}, 'asset'), el('th', {}, 'partition'), el('th', {}, 'attempt'), el('th', {}, 'error')),
          body.failures.map((f) => el('tr', {}, el('td', {}, f.asset), el('td', {}, f.partition), el('td', {}, f.attempt), el('td', {}, f.error ?? ''))))
        : el('p', { class: 'muted' }, 'None.'),
    ].flat().filter((c) => c !== null));
    // Last: tests and scripts wait on these, and the page must be complete when they match.
    box.dataset.run = id;
    box.dataset.status = r.status;
  }
  return {
    open: (id) => render(id),
    refresh: () => (current ? render(current) : Promise.resolve()),
    close() {
      current = null;
      lastEvent = 0;
      box.hidden = true;
      delete box.dataset.run;
    },
    get current() {
      return current;
    },
  };
}
