/**
 * The contract between the orchestrator and the project's extensions (its commands and the page's domain reads,
 * exported by assets/index.ts as `extensions`): what `src/cli` hands a project command (ProvidedCommandContext) is
 * everything a command of the project asks for (ProjectCommandContext), and what the project exports is what the CLI
 * and the server take (ProjectExtensions, src/cli/project-extensions.ts). src/ never imports assets/, so this test,
 * checked by the type-checker in `npm test`, is where the two meet; at run time, that the module loads them.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ProjectCommandContext } from '../../assets/extensions.ts';
import { extensions } from '../../assets/index.ts';
import { projectExtensionsOf, type ProjectExtensions, type ProvidedCommandContext } from '../../src/cli/project-extensions.ts';

describe("the project's extensions", () => {
  it('are handed all a command of the project asks for', () => {
    expectTypeOf<ProvidedCommandContext>().toExtend<ProjectCommandContext>();
  });

  it('are what the CLI and the server take', () => {
    expectTypeOf(extensions).toExtend<ProjectExtensions>();
    expect(projectExtensionsOf('assets/index.ts', { extensions }).commands?.map((c) => c.name)).toEqual(['gaps']);
  });

  it('are checked when the module is loaded, and optional', () => {
    expect(projectExtensionsOf('m.ts', {})).toEqual({});
    expect(() => projectExtensionsOf('m.ts', { extensions: { commands: [{ name: 'Gaps!', description: 'x', run: () => 0 }] } })).toThrow(/m\.ts exports "extensions" that are not/);
    expect(() => projectExtensionsOf('m.ts', { extensions: { commands: {} } })).toThrow(/not \{ commands\?/);
  });
});
