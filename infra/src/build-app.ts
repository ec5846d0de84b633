/** Builds the stack into an app from the app's context, the same way for `cdk synth` and for the tests. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { CbbdStack } from './cbbd-stack.ts';
import { checkWithCdkNag } from './nag.ts';
import { readProjectConfig } from './project-config.ts';

const INFRA_DIR = resolve(fileURLToPath(import.meta.url), '../..');

export function buildApp(app: App): CbbdStack {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const project = readProjectConfig(resolve(INFRA_DIR, context('config') ?? '../config.yaml'));
  const stack = new CbbdStack(app, 'Cbbd', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: project.region },
    project,
    imageTag: context('imageTag'),
    alarmEmail: context('alarmEmail'),
    vpcId: context('vpcId'),
    privateSubnets: context('privateSubnets') === 'true',
    githubRepo: context('githubRepo'),
    githubOidcProviderArn: context('githubOidcProviderArn'),
  });
  checkWithCdkNag(app);
  return stack;
}
