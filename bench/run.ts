/**
 * Benchmarks print figures; they assert nothing. `npm run bench` runs every case; `npm run bench -- planner` one.
 */
import { backfillBench } from './backfill.ts';
import { chaosBench } from './chaos.ts';
import { goldBench } from './gold.ts';
import { lakehouseBench } from './lakehouse.ts';
import { lineageBench } from './lineage.ts';
import { nightlyBench } from './nightly.ts';
import { pageBench } from './page.ts';
import { plannerBench } from './planner.ts';
import { quotaBench } from './quota.ts';
import { ratingsBench } from './ratings.ts';
import { realismBench } from './realism.ts';
import { startupBench } from './startup.ts';
import { build } from '../scripts/build.ts';

const cases: Record<string, (args: string[]) => Promise<void>> = { planner: plannerBench, lineage: lineageBench, backfill: backfillBench, nightly: nightlyBench, lakehouse: lakehouseBench, realism: realismBench, quota: quotaBench, gold: goldBench, ratings: ratingsBench, startup: startupBench, chaos: chaosBench, page: pageBench };
// dist/ up to date first: benches load the package by its name (bench/planner-graph.ts) and run the compiled `cbbd`.
const built = await build();
console.log(`build: ${built.written} of ${built.files} file(s) compiled (the rest were up to date) in ${built.ms} ms`);
const [name, ...args] = process.argv.slice(2);
const selected = name && !name.startsWith('--') ? [name] : Object.keys(cases);
for (const key of selected) {
  const run = cases[key];
  if (!run) {
    console.error(`Unknown benchmark "${key}". Cases: ${Object.keys(cases).join(', ')}`);
    process.exit(2);
  }
  await run(name && !name.startsWith('--') ? args : process.argv.slice(2));
}
