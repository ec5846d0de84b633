/**
 * Prints the stack's CloudFormation template as `cdk synth` makes it (same app, same context from cdk.json and
 * config.yaml, cdk-nag included), as JSON on stdout: for tools and tests that need the synthesized template without
 * the CDK CLI, such as test/reliability/task-role.e2e.test.ts, which runs the scheduled commands under the task role's
 * exact policy. `npx tsx bin/template.ts [-c key=value ...]` from infra/.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../src/build-app.ts';

const context: Record<string, string> = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context ?? {};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] !== '-c' && args[i] !== '--context') throw new Error(`unknown argument ${args[i]}: expected -c key=value`);
  const [key, ...value] = (args[++i] ?? '').split('=');
  if (!key || !value.length) throw new Error('-c expects key=value');
  context[key] = value.join('=');
}
// CDK's own CloudFormation schema check is left to `cdk synth` (about ten seconds of CPU); cdk-nag still runs.
const app = new App({ context, builtinCloudFormationValidation: false, outdir: mkdtempSync(join(tmpdir(), 'cbbd-template-')) });
const stack = buildApp(app);
const assembly = app.synth();
process.stdout.write(readFileSync(assembly.getStackArtifact(stack.artifactId).templateFullPath, 'utf8'));
