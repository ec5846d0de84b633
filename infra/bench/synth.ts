/**
 * `npm run bench --prefix infra`: how long the stack takes to synthesize (with cdk-nag and CDK's CloudFormation
 * check, as `cdk synth` runs them, and without the latter) and what it holds: resources by type, template size.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const started = performance.now();
const { App } = await import('aws-cdk-lib');
const { buildApp } = await import('../src/build-app.ts');
const imported = performance.now() - started;

function synth(validate: boolean): { ms: number; cpuMs: number; template: string } {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const app = new App({ builtinCloudFormationValidation: validate, outdir: mkdtempSync(join(tmpdir(), 'cbbd-bench-')) });
  const stack = buildApp(app);
  const assembly = app.synth();
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, template: readFileSync(assembly.getStackArtifact(stack.artifactId).templateFullPath, 'utf8') };
}

const full = synth(true);
const quick = synth(false);
const resources = Object.values((JSON.parse(full.template) as { Resources: Record<string, { Type: string }> }).Resources);
const byType = new Map<string, number>();
for (const r of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`import aws-cdk-lib and the app: ${s(imported)}`);
console.log(`synth with cdk-nag and CDK's CloudFormation check: ${s(full.ms)} wall, ${s(full.cpuMs)} CPU`);
console.log(`synth with cdk-nag only:                          ${s(quick.ms)} wall, ${s(quick.cpuMs)} CPU`);
console.log(`resources: ${resources.length}; template ${(full.template.length / 1024).toFixed(0)} KiB`);
for (const [type, count] of [...byType].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) console.log(`  ${String(count).padStart(3)}  ${type}`);
