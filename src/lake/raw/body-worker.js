// A thread of the body pool (`body-pool.ts`). Plain JavaScript so the thread starts without a loader; it registers
// tsx itself (the way bin/cbbd.js does) to load the TypeScript that prepares a body.
import { register } from 'tsx/esm/api';

register();
const { prepareBody } = await import('./body.ts');

/** @param {{ bytes: ArrayBuffer, task: import('./body.ts').BodyTask }} job */
export default function prepare(job) {
  return prepareBody(new Uint8Array(job.bytes), job.task);
}
