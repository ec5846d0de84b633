/**
 * Worker threads that prepare bulk response bodies (`prepareBody`): a season of plays is about 2.5 GB of JSON, and
 * parsing, checking, hashing and compressing it on the main thread would leave the other cores idle while the
 * fetches, the run log and the commits wait behind it. One thread per core; threads exit when idle.
 */
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import type { BodyTask, Preparation } from './body.ts';

// Imported with the first body: commands that prepare none (status, plan) never load the worker pool.
let pool: Promise<Piscina> | undefined;

/** Prepare a body in a worker; `bytes` is moved to the worker, not copied (it is unusable here afterwards). */
export function prepareInWorker(bytes: ArrayBuffer, task: BodyTask): Promise<Preparation> {
  pool ??= import('piscina').then(({ Piscina }) => new Piscina({ filename: new URL('./body-worker.js', import.meta.url).href, maxThreads: availableParallelism(), idleTimeout: 2_000 }));
  return pool.then((p) => p.run({ bytes, task }, { transferList: [bytes] }) as Promise<Preparation>);
}
