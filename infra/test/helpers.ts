/** Builds the app as `cdk synth` does, from a config.yaml written for the test, offline. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../src/build-app.ts';
import type { CbbdStack } from '../src/cbbd-stack.ts';

export interface Synthesized {
  readonly app: App;
  readonly stack: CbbdStack;
  readonly template: Template;
}

export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-infra-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

/**
 * `validate: false` skips CDK's own CloudFormation schema check (about ten seconds of CPU) for variants of a stack
 * one test already checks in full.
 */
export function synthesize(context: Record<string, string>, options: { validate?: boolean } = {}): Synthesized {
  const app = new App({ context, builtinCloudFormationValidation: options.validate ?? true, outdir: mkdtempSync(join(tmpdir(), 'cbbd-cdk-out-')) });
  const stack = buildApp(app);
  // app.synth() runs cdk-nag's AwsSolutions pack and throws on any finding not acknowledged with a reason.
  app.synth();
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export function resourcesOf(template: Template, type?: string): Resources {
  const all = template.toJSON().Resources as Resources;
  return type ? Object.fromEntries(Object.entries(all).filter(([, r]) => r.Type === type)) : all;
}
