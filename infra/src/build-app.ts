/** Builds the stack into an app from the app's context, the same way for `cdk synth` and for the tests. */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { CbbdStack } from './cbbd-stack.ts';
import { checkWithCdkNag } from './nag.ts';
import { readProjectConfig } from './project-config.ts';

const INFRA_DIR = resolve(fileURLToPath(import.meta.url), '../..');

/**
 * Deployment settings that were `-c` flags until a plain `cdk deploy` without them deleted the alarm subscription and
 * the deploy role: they live in config.yaml's `aws.deploy` now, and a flag is refused rather than half-honoured.
 */
const MOVED_TO_CONFIG = ['alarmEmail', 'githubRepo', 'githubOidcProviderArn', 'vpcId', 'privateSubnets'];

export function buildApp(app: App): CbbdStack {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const moved = MOVED_TO_CONFIG.filter((key) => context(key) !== undefined);
  if (moved.length) {
    throw new Error(`-c ${moved.join(', -c ')}: deployment settings live in config.yaml now (aws.deploy.${moved[0]}), so every deploy uses the same ones. Set them there and drop the flag.`);
  }
  const project = readProjectConfig(resolve(INFRA_DIR, context('config') ?? '../config.yaml'));
  const stack = new CbbdStack(app, 'Cbbd', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: project.region },
    project,
    imageTag: context('imageTag') ?? headCommit(),
  });
  checkWithCdkNag(app);
  return stack;
}

/**
 * The image a deploy runs: the commit checked out, as deploy.yml tags the image it builds (the repository's tags are
 * immutable and never `latest`). Outside a git checkout, `-c imageTag=<sha>` must say which.
 */
function headCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: INFRA_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new Error('No image tag: this is not a git checkout, so pass the commit whose image deploy.yml pushed with -c imageTag=<git sha>.');
  }
}
