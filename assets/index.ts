/**
 * The project's asset graph. `createAssets` is called by the CLI with the resources built from config (source,
 * storage, season window); the kernel never imports this folder.
 */
import type { AssetDefinition } from '../src/core/asset.ts';
import { bronzeAssets } from './bronze/bronze.ts';
import { gameAssets } from './raw/games.ts';
import { silverAssets } from './silver/silver.ts';
import { pbpAssets } from './silver/pbp.ts';
import { perTeamAssets } from './raw/per-team.ts';
import { playsAsset } from './raw/plays.ts';
import { snapshotAssets } from './raw/snapshots.ts';
import { seasonAssets } from './raw/teams.ts';
import type { ProjectResources } from './resources.ts';

export type { ProjectResources } from './resources.ts';

export function createAssets(resources: ProjectResources): AssetDefinition[] {
  const raw = [...snapshotAssets(resources), ...seasonAssets(resources), ...gameAssets(resources), playsAsset(resources), ...perTeamAssets(resources)];
  const bronze = bronzeAssets(resources, raw);
  const silver = silverAssets(resources, bronze);
  const declared = new Map([...raw, ...bronze, ...silver].map((a) => [a.key, a]));
  const pbp = pbpAssets(resources, (key) => declared.get(key));
  return [...raw, ...bronze, ...silver, ...pbp];
}
