// A thread of the body pool (`_body-pool.ts`). Plain JavaScript so the thread starts without a loader; it registers
// tsx itself (the way bin/cbbd.js does) to load the TypeScript that prepares a body.
import { register } from 'tsx/esm/api';

register();
const { prepareBody } = await import('./_prepared-body.ts');

/** @param {{ bytes: ArrayBuffer, rawKey: string, distinct?: string }} task */
export default function prepare(task) {
  return prepareBody(new Uint8Array(task.bytes), task.rawKey, task.distinct);
}
