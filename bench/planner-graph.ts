/** The benchmark's asset graph, shaped like the project's: 35 raw, 35 bronze, 25 silver, 7 gold (102 with the schedule). */
// Loaded by `cbbd --assets` too: it imports the package by its name, so the CLI's own kernel defines the assets.
import { defineAsset, type AssetDefinition, type AssetSpec } from 'cbbd-orchestrator';

const noop = async () => [];

/** 35 raw (1 schedule, 6 snapshots, 8 season, 20 game-day), 35 bronze 1:1, 25 silver, 7 gold. */
export function benchAssets(): AssetDefinition[] {
  const defs: AssetDefinition[] = [];
  const add = (spec: AssetSpec) => defs.push(defineAsset(spec, noop));
  const day = { kind: 'season_date', calendar: 'raw/schedule' } as const;
  add({ key: 'raw/schedule', partitions: { kind: 'season' }, codeVersion: '1', volatile: { maxAgeHours: 6 }, expectedCalls: (p) => p.length });
  const raw: { key: string; kind: 'none' | 'season' | 'season_date' }[] = [];
  for (let i = 0; i < 6; i++) raw.push({ key: `raw/snapshot_${i}`, kind: 'none' });
  for (let i = 0; i < 8; i++) raw.push({ key: `raw/season_${i}`, kind: 'season' });
  for (let i = 0; i < 20; i++) raw.push({ key: `raw/day_${i}`, kind: 'season_date' });
  for (const r of raw) {
    add({
      key: r.key, partitions: r.kind === 'season_date' ? day : { kind: r.kind }, codeVersion: '1', volatile: { maxAgeHours: 6 },
      deps: r.kind === 'season_date' ? ['raw/schedule'] : [], batch: r.kind === 'season_date' ? { maxPartitions: 7 } : undefined,
      expectedCalls: (p) => Math.ceil(p.length / 7),
    });
    add({ key: r.key.replace('raw/', 'bronze/'), deps: [r.key], partitions: r.kind === 'season_date' ? day : { kind: r.kind }, codeVersion: '1' });
  }
  add({ key: 'bronze/schedule', deps: ['raw/schedule'], partitions: { kind: 'season' }, codeVersion: '1' });
  for (let i = 0; i < 5; i++) add({ key: `silver/dim_${i}`, deps: [`bronze/snapshot_${i}`], partitions: { kind: 'none' }, codeVersion: '1' });
  for (let i = 0; i < 20; i++) {
    add({ key: `silver/fct_${i}`, deps: [`bronze/day_${i}`, `bronze/day_${(i + 1) % 20}`, `silver/dim_${i % 5}`], partitions: day, codeVersion: '1' });
  }
  for (let i = 0; i < 7; i++) {
    add({ key: `gold/table_${i}`, deps: [`silver/fct_${i}`, `silver/fct_${i + 7}`, 'silver/dim_0', `bronze/season_${i}`], partitions: { kind: 'season' }, codeVersion: '1' });
  }
  return defs;
}

/** For `cbbd --assets bench/planner-graph.ts`. */
export const assets = benchAssets();

