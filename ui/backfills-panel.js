// Backfills: `cbbd backfill` runs `*` one season at a time in one process, so its runs are grouped by process here,
// newest first, each season with its outcome and, for the season running now, its progress and a "Cancel" (the
// backfill stops after that season's steps under way, as on SIGTERM; the seasons after it are not started).
import { api, duration, el, n, post, say } from './dom.js';

function seasonOf(run) {
  const f = run.filter ?? {};
  return f.seasonFrom !== undefined && f.seasonFrom === f.seasonTo && f.dateFrom === undefined ? f.seasonFrom : undefined;
}

/** Runs of `*` over one season each, grouped by the process that ran them (pid on host). */
export function backfillGroups(runs) {
  const groups = new Map();
  for (const r of runs) {
    if (r.selection !== '*' || seasonOf(r) === undefined) continue;
    const key = `${r.host}:${r.pid}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [...groups.entries()].map(([key, list]) => ({ key, runs: list.sort((a, b) => a.startedAt - b.startedAt) }));
}

async function progressOf(run) {
  const body = await api(`/api/runs/${run.id}`);
  const done = body.steps.reduce((sum, s) => sum + (s.counts.succeeded ?? 0) + (s.counts.failed ?? 0) + (s.counts.skipped ?? 0), 0);
  return { done, total: Math.max(run.partitionsTotal, done), cancelRequested: body.cancelRequested };
}

export async function renderBackfills(box) {
  const { runs } = await api('/api/runs?limit=200');
  const groups = backfillGroups(runs).slice(0, 5);
  const heading = el('h2', {}, 'Backfills');
  if (!groups.length) {
    box.replaceChildren(heading, el('p', { class: 'muted' }, 'No backfill yet: `cbbd backfill --seasons 2010-2024` runs every asset season by season, newest first.'));
    return;
  }
  const sections = [];
  for (const g of groups) {
    const running = g.runs.find((r) => r.status === 'running');
    const progress = running ? await progressOf(running) : null;
    const rows = g.runs.map((r) => {
      const bar = el('span');
      const share = r === running && progress ? progress.done / Math.max(1, progress.total) : r.status === 'succeeded' ? 1 : 0;
      bar.style.width = `${Math.round(share * 100)}%`;
      const cancel = r === running
        ? el('button', { type: 'button', class: 'danger', dataset: { action: 'cancel', run: r.id }, disabled: Boolean(progress?.cancelRequested) }, progress?.cancelRequested ? 'Cancel requested…' : 'Cancel')
        : null;
      cancel?.addEventListener('click', async () => {
        cancel.disabled = true;
        try {
          await post(`/api/runs/${r.id}/cancel`);
          say(`Cancel requested for the backfill's run ${r.id} (season ${seasonOf(r)}): the backfill stops after it.`);
        } catch (error) {
          say(error.message, true);
        }
        void renderBackfills(box);
      });
      return el('tr', { dataset: { run: r.id, season: seasonOf(r), status: r.status } },
        el('td', {}, String(seasonOf(r))), el('td', { class: `status-${r.status}` }, r.status),
        el('td', {}, el('span', { class: 'progress' }, bar), r === running && progress ? ` ${n(progress.done)} of ${n(progress.total)}` : ''),
        el('td', {}, r.durationMs === null ? `running ${duration(Date.now() - r.startedAt)}` : duration(r.durationMs)),
        el('td', {}, el('a', { href: `#/runs/${r.id}` }, r.id)), el('td', {}, cancel));
    });
    const first = g.runs[0];
    sections.push(el('div', { class: 'backfill', dataset: { process: g.key } },
      el('p', { class: 'muted' }, `pid ${first.pid} on ${first.host}, started ${new Date(first.startedAt).toLocaleString('en-GB', { hour12: false })}: ${g.runs.filter((r) => r.status === 'succeeded').length} of ${g.runs.length} season(s) done${running ? `, season ${seasonOf(running)} running` : ''}`),
      el('table', { class: 'keys' }, el('tr', {}, ['season', 'outcome', 'progress', 'duration', 'run', ''].map((h) => el('th', {}, h))), rows)));
  }
  box.replaceChildren(heading, ...sections);
  box.dataset.loaded = 'true';
}
