// Small helpers the page's modules share: building elements, the API with the token, the message line.
export const $ = (sel) => document.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

export function say(text, isError = false) {
  const m = $('#message');
  m.textContent = text;
  m.classList.toggle('error', isError);
}

// The UI token, from the address cbbd serve printed (`#token=...`: a fragment, never sent to the server nor logged by
// a proxy). Read before any other script runs (every module that talks to the API loads after this one), kept for
// this tab, and taken off the address bar so it is neither bookmarked nor shared with a copied link.
const fromAddress = /^#token=([^&]+)/.exec(location.hash);
if (fromAddress) {
  // A mangled address (a bad %-escape) must not leave the page blank: the page asks for the token when it needs it.
  try {
    sessionStorage.setItem('cbbdToken', decodeURIComponent(fromAddress[1]));
  } catch {
    sessionStorage.removeItem('cbbdToken');
  }
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

export function authHeaders() {
  const token = sessionStorage.getItem('cbbdToken');
  return token ? { authorization: `Bearer ${token}` } : {};
}

// Every change (a run, a cancel, a schedule switch) needs the server's token, and beyond loopback every read too: when
// the address did not carry it, ask once and keep it for this tab.
export function askForToken() {
  const entered = prompt('This server requires its UI token (CBBD_UI_TOKEN):');
  if (entered) sessionStorage.setItem('cbbdToken', entered);
  return Boolean(entered);
}

/** JSON from the API; an answer that is not OK throws an error carrying the body (e.g. a plan to confirm). */
export async function api(path, init) {
  const headers = { 'content-type': 'application/json', ...authHeaders(), ...(init?.headers ?? {}) };
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 && askForToken()) return api(path, init);
  if (!res.ok) throw Object.assign(new Error(body.error ?? `HTTP ${res.status}`), { status: res.status, body });
  return body;
}

export const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body ?? {}) });

export function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const n = (x) => Number(x).toLocaleString('en-US');

/**
 * Call `refresh` again when the message line changes (a run's progress, a run finished), at most once every
 * `everyMs`: a busy run changes the line many times a second. The panels beside the graph follow runs this way.
 */
export function refreshOnMessages(refresh, everyMs) {
  const message = document.getElementById('message');
  if (!message) return;
  let pending = null;
  const soon = () => {
    if (!pending) pending = setTimeout(() => { pending = null; void refresh(); }, everyMs);
  };
  new MutationObserver(soon).observe(message, { childList: true, characterData: true, subtree: true });
}

/** Run `mount` once the document is parsed (at once when it already is). */
export function whenReady(mount) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
  else mount();
}
