/**
 * Which requests a local HTTP server of cbbd answers (the lineage page, the simulator): those addressed to a name it
 * is bound to (a page that rebinds its own name to 127.0.0.1 sends its own name as Host), and, for data, none that a
 * browser says come from another site (`Sec-Fetch-Site`: a page anywhere can make a browser send a GET by an `<img>`,
 * and though it never sees the answer, the server does the work).
 */
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** The names a loopback server answers to, whatever loopback address it is bound to. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** `[::1]` → `::1`: the form `listen()` and `isIP()` take. */
export function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

export function isLoopback(host: string): boolean {
  const h = unbracket(host);
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The host names a server bound to `bindHost` accepts: the loopback names (a browser sends them only for a page it
 * opened on this machine, e.g. through a container's published port), the bound address itself, for a wildcard
 * address every address of this machine and its host name, and `extra` (CBBD_UI_ALLOWED_HOSTS), for a DNS name in
 * front of the server. A rebinding page's Host is its own name, which is none of these.
 */
export function allowedHostsFor(bindHost: string, extra: readonly string[] = []): string[] {
  const host = unbracket(bindHost).toLowerCase();
  const names = new Set<string>([...LOOPBACK_HOSTS, ...extra.map((h) => unbracket(h.trim()).toLowerCase()).filter(Boolean)]);
  if (host === '0.0.0.0' || host === '::') {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  } else names.add(host);
  return [...names];
}

/** The host name of a Host header (`127.0.0.1:3000` → `127.0.0.1`, `[::1]:3000` → `::1`), lower-case. */
export function hostNameOf(header: string): string | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  return m ? unbracket(m[1]!).toLowerCase() : undefined;
}

/** Whether `host` is something `listen()` can bind: an IP address or `localhost`. */
export function isBindableHost(host: string): boolean {
  const h = unbracket(host);
  return h === 'localhost' || isIP(h) !== 0;
}

/**
 * Whether a browser says the request comes from a page of another origin (`Sec-Fetch-Site` other than `same-origin`
 * or `none`, which is a typed address or a bookmark). `same-site` is refused too: another port of this host is
 * another program. A request without the header (curl, the CLI, an older browser) is not judged here.
 */
export function fetchedFromElsewhere(secFetchSite: string | undefined): boolean {
  if (secFetchSite === undefined) return false;
  const site = secFetchSite.trim().toLowerCase();
  return site !== 'same-origin' && site !== 'none';
}
