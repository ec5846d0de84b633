/**
 * The page: `GET /` (ui/index.html) and the modules it cannot do without (read at start-up, which fails without
 * them); every other browser module (each `ui/*.js` and `ui/*.css`, read once at start-up); and the graph layout
 * library, dagre, served from the installed package as `/ui/vendor/dagre.js`: the page loads nothing from another
 * site (its CSP allows only this server). A file is served only if it was in ui/ at start-up, so a request can never
 * name a path of its own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { packageRoot } from '../core/package-root.ts';
import { PAGE_CSP } from './security.ts';

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const PAGE: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: TYPES.js! },
  '/ui/style.css': { file: 'style.css', type: TYPES.css! },
  '/ui/rating-chart.js': { file: 'rating-chart.js', type: TYPES.js! },
  '/ui/quota-panel.js': { file: 'quota-panel.js', type: TYPES.js! },
  '/ui/schedules-panel.js': { file: 'schedules-panel.js', type: TYPES.js! },
};

/** dagre's self-contained ES module (graphlib included), from the package's node_modules. */
function dagreModule(root: URL): string | undefined {
  const file = new URL('node_modules/@dagrejs/dagre/dist/dagre.esm.js', root);
  return existsSync(file) ? readFileSync(fileURLToPath(file), 'utf8') : undefined;
}

export function uiFilesRoutes(): Hono {
  // From the package root, not this file: compiled, this module sits one folder deeper (dist/src/server/).
  const root = packageRoot(import.meta.url);
  const folder = new URL('ui/', root);
  const app = new Hono();
  for (const [path, { file, type }] of Object.entries(PAGE)) {
    const body = readFileSync(fileURLToPath(new URL(file, folder)), 'utf8');
    app.get(path, (c) => c.body(body, 200, { 'Content-Type': type, 'Content-Security-Policy': PAGE_CSP }));
  }
  const files = new Map<string, { body: string; type: string }>();
  for (const name of readdirSync(fileURLToPath(folder))) {
    const ext = /^[a-z0-9-]+\.(js|css)$/.exec(name)?.[1];
    if (ext) files.set(`/ui/${name}`, { body: readFileSync(fileURLToPath(new URL(name, folder)), 'utf8'), type: TYPES[ext]! });
  }
  const dagre = dagreModule(root);
  if (dagre !== undefined) files.set('/ui/vendor/dagre.js', { body: dagre, type: TYPES.js! });
  app.get('/ui/*', (c, next) => {
    const file = files.get(c.req.path);
    if (!file) return next();
    return c.body(file.body, 200, { 'Content-Type': file.type, 'Content-Security-Policy': PAGE_CSP });
  });
  return app;
}
