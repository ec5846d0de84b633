/**
 * The project module, loaded from config.yaml's `assets:` by path (src/ never imports it): what it is handed to
 * declare its assets (`ProvidedResources`), and how it is loaded.
 */
import type { AssetDefinition } from '../core/asset.ts';
import type { CheckpointStore } from '../core/checkpoints.ts';
import { ConfigError, DefinitionError } from '../core/errors.ts';
import type { SeasonWindow } from '../core/partitions.ts';
import type { CbbdSource } from '../cbbd/source.ts';
import type { Config } from '../config/config.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';
import { importUserModule, moduleExists } from './load-module.ts';
import { projectExtensionsOf, type ProjectExtensions } from './project-extensions.ts';

/**
 * What the project module's `createAssets(resources)` is handed: the drivers and settings its assets use. The project
 * declares what it needs (`ProjectResources`, assets/resources.ts); src/ never imports the project, so a test holds the
 * two together (test/assets/resources-contract.test.ts).
 */
export interface ProvidedResources {
  readonly source: CbbdSource;
  readonly storage: ObjectStorage;
  readonly checkpoints: CheckpointStore;
  readonly window: SeasonWindow;
  readonly gameCap: number;
  readonly now: () => Date;
  readonly rollingDays: number;
  readonly divisionOneTeams: number | undefined;
  readonly gold: Config['gold'];
}

/**
 * Import the module that declares the assets: it exports `createAssets(resources)` (the project's graph) or
 * `assets`, an array (a self-contained graph, as in the tests), and perhaps `extensions` (its commands and the page's
 * domain reads, `project-extensions.ts`).
 */
export async function loadProject(path: string, resources: ProvidedResources): Promise<{ definitions: AssetDefinition[]; extensions: ProjectExtensions }> {
  if (!moduleExists(path)) throw new ConfigError(`The assets module ${path} does not exist: set "assets" in config.yaml or pass --assets.`);
  let module: { createAssets?: unknown; assets?: unknown; default?: unknown; extensions?: unknown };
  try {
    module = (await importUserModule(path)) as typeof module;
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new DefinitionError(`${path} could not be loaded as the assets module (${first}). Point "assets" in config.yaml or --assets at a TypeScript or JavaScript module that exports createAssets(resources) or "assets".`);
  }
  const assets = typeof module.createAssets === 'function'
    ? (module.createAssets as (r: ProvidedResources) => unknown)(resources)
    : module.assets ?? module.default;
  if (!Array.isArray(assets)) throw new DefinitionError(`${path} must export createAssets(resources) or "assets", an array of defineAsset(...) results.`);
  return { definitions: assets as AssetDefinition[], extensions: projectExtensionsOf(path, module) };
}
