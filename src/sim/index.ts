/**
 * The CBBD simulator: a simulated world of Division I seasons (teams, schedules, games play by play, lines, ratings,
 * a ground truth at `/_sim/truth`) served on the real API's paths with its quirks (date caps, quota, late
 * corrections, faults on request), for the quick start, the tests and the benchmarks. `cbbd sim` serves it alone; the
 * CLI starts it in-process when no API key is set. See docs/simulator.md.
 *
 * May import: src/core and src/cbbd (the endpoint catalog it serves, and call accounting). Never the lake, the
 * server, the CLI or assets.
 */
export { startSimulator, type RunningSim } from './serve.ts';
export { createSimApp, type SimOptions } from './app.ts';
export { divisionOneTeamsOf, SCALES } from './scales.ts';
export { truthOf } from './truth.ts';
export type { SimScale } from './world.ts';
