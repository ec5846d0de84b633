/**
 * The contract between the orchestrator and the project: what `src/cli/project-module.ts` hands `createAssets(resources)`
 * (ProvidedResources) is everything the project's assets ask for (ProjectResources). src/ never imports assets/, so
 * this test, checked by the type-checker in `npm test`, is where the two meet.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ProjectResources } from '../../assets/resources.ts';
import type { ProvidedResources } from '../../src/cli/project-module.ts';

describe('the resources the project is handed', () => {
  it('are all the project asks for', () => {
    expectTypeOf<ProvidedResources>().toExtend<ProjectResources>();
  });
});
