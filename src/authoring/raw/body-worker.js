// A thread of the body pool (`body-pool.ts`). Plain JavaScript so the thread starts without a loader. Compiled
// (dist/), the body module sits beside this file as JavaScript; from the sources it is TypeScript, and the thread
// registers tsx itself (the way bin/cbbd.js does) to load it.
import { existsSync } from 'node:fs';

const compiled = new URL('./body.js', import.meta.url);
let body;
if (existsSync(compiled)) {
  body = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  body = await import('./body.ts');
}
const { prepareBody } = body;

/** @param {{ bytes: ArrayBuffer, task: import('./body.ts').BodyTask }} job */
export default function prepare(job) {
  return prepareBody(new Uint8Array(job.bytes), job.task);
}
