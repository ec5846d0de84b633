// Before a run: its plan (partitions by asset, API calls, the quota after it), then "Run". A plan over the
// thresholds needs a second, explicit confirmation that names its numbers; the server checks those numbers too.
import { $, el, n, post, say } from './dom.js';

/**
 * Show the plan of `request` (from GET /api/plan's answer) and start it on confirmation with `startPath`
 * (POST /api/runs, or a run's re-run-failed). Resolves with the run id, or null when cancelled or nothing to do.
 */
export function confirmAndStart(planned, startPath, body) {
  const dialog = $('#plan-dialog');
  const { plan, confirmation } = planned;
  return new Promise((resolve) => {
    const close = (value) => {
      dialog.close();
      resolve(value);
    };
    if (!plan.partitions) {
      say('Everything selected is fresh: nothing to materialize.');
      resolve(null);
      return;
    }
    const needs = confirmation.length > 0;
    const checkbox = el('input', { type: 'checkbox', id: 'plan-confirm' });
    const run = el('button', { type: 'button', class: needs ? 'danger' : 'primary', id: 'plan-run', disabled: needs }, needs ? `Run ${n(plan.partitions)} partitions` : 'Run');
    checkbox.addEventListener('change', () => (run.disabled = !checkbox.checked));
    run.addEventListener('click', async () => {
      run.disabled = true;
      try {
        const started = await post(startPath, { ...body, ...(needs && { confirm: { partitions: plan.partitions, expectedCalls: plan.expectedCalls } }) });
        say(started.runId ? `Run ${started.runId} started.` : 'Everything selected is fresh: nothing to materialize.');
        close(started.runId ?? null);
      } catch (error) {
        say(error.message, true);
        close(null);
      }
    });
    const q = plan.quota;
    dialog.replaceChildren(
      el('h2', {}, 'Plan of the run'),
      el('p', { id: 'plan-summary' }, `${n(plan.partitions)} partition(s) of ${plan.assets.filter((a) => a.partitions).length} asset(s); about ${n(Math.round(plan.expectedCalls))} API call(s)`,
        q ? `; ${n(q.afterRun)} of the month's quota left after it (reserve ${n(q.reserve)}).` : '; the month\'s remaining quota is not known yet.'),
      el('div', { style: null, class: 'plan-assets' }, el('table', {},
        el('tr', {}, el('th', {}, 'asset'), el('th', {}, 'partitions'), el('th', {}, 'API calls')),
        plan.assets.filter((a) => a.partitions).map((a) => el('tr', { dataset: { asset: a.asset } }, el('td', {}, a.asset), el('td', {}, n(a.partitions)), el('td', {}, n(Math.round(a.expectedCalls))))))),
      ...plan.warnings.map((w) => el('p', { class: 'muted' }, w)),
      needs ? el('div', { class: 'confirm', id: 'plan-confirmation' },
        el('p', {}, `This run needs a confirmation: ${confirmation.join('; ')}.`),
        el('label', { class: 'chart-search' }, checkbox, `I want to build ${n(plan.partitions)} partitions with about ${n(Math.round(plan.expectedCalls))} API calls.`)) : null,
      el('div', { class: 'actions' }, run, el('button', { type: 'button', id: 'plan-cancel', onclick: () => close(null) }, 'Cancel')),
    );
    dialog.showModal();
  });
}

/** GET the plan of a request, then confirm and start it. */
export async function planThenRun(api, request) {
  const q = new URLSearchParams(Object.entries(request).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
  const planned = await api(`/api/plan?${q}`);
  const body = { selection: request.selection, ...(request.season && { season: Number(request.season) }),
    ...(request.seasonFrom && { seasonFrom: Number(request.seasonFrom) }), ...(request.seasonTo && { seasonTo: Number(request.seasonTo) }),
    ...(request.dateFrom && { dateFrom: request.dateFrom }), ...(request.dateTo && { dateTo: request.dateTo }) };
  return confirmAndStart(planned, '/api/runs', body);
}
