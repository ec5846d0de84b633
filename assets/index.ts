/**
 * The project's asset graph. `createAssets` is called by the CLI with the resources built from config (source,
 * storage, season window); `extensions` are its commands and the page's domain reads (extensions.ts). src/ never
 * imports this folder.
 */
import type { AssetDefinition } from '../src/core/asset.ts';
import { bronzeAssets } from './bronze/bronze.ts';
import { gameAssets } from './raw/games.ts';
import { silverAssets } from './silver/silver.ts';
import { pbpAssets } from './silver/pbp.ts';
import { adjustedEfficiencyAssets } from './gold/adjusted-efficiencies.ts';
import { goldTables } from './gold/tables.ts';
import { perTeamAssets } from './raw/per-team.ts';
import { playsAsset } from './raw/plays.ts';
import { snapshotAssets } from './raw/snapshots.ts';
import { seasonAssets } from './raw/teams.ts';
import type { ProjectResources } from './resources.ts';

export type { ProjectResources } from './resources.ts';
/** What the project adds to `cbbd` beside its assets: `cbbd gaps`, the page's rating chart and backtest reads. */
export { extensions } from './extensions.ts';

export function createAssets(resources: ProjectResources): AssetDefinition[] {
  const raw = [...snapshotAssets(resources), ...seasonAssets(resources), ...gameAssets(resources), playsAsset(resources), ...perTeamAssets(resources)];
  const bronze = bronzeAssets(resources, raw);
  const silver = silverAssets(resources, bronze);
  const declared = new Map([...raw, ...bronze, ...silver].map((a) => [a.key, a]));
  const upstream = (key: string) => declared.get(key);
  const add = (assets: AssetDefinition[]) => {
    for (const a of assets) declared.set(a.key, a);
    return assets;
  };
  const pbp = add(pbpAssets(resources, upstream));
  const ratings = add(adjustedEfficiencyAssets(resources, upstream));
  const gold = add(goldTables(resources, upstream));
  return [...raw, ...bronze, ...silver, ...pbp, ...ratings, ...gold];
}
