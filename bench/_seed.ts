import { seed } from './planner.ts';
const f = await seed(17, 1_000_000, new Date('2026-02-15T12:00:00Z'));
await f.runLog.close();
console.log(f.dir);
