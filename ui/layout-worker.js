// Lays out a big graph off the page's main thread (dagre takes about a second for 1,000 assets): the page stays
// responsive meanwhile. Messages: { id, nodes, collapsed } in; { id, layout } (boxes as an array) or { id, error } out.
import { layoutGraph } from './graph-layout.js';

self.addEventListener('message', (e) => {
  const { id, nodes, collapsed } = e.data;
  try {
    const layout = layoutGraph(nodes, new Set(collapsed));
    self.postMessage({ id, layout: { ...layout, boxes: [...layout.boxes] } });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
});
