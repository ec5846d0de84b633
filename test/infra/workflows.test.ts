/** The GitHub workflows are valid YAML and do what the README says: CI runs .ci/run and a synth; deploy ships an image. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step { name?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string>; 'working-directory'?: string }
interface Job { steps?: Step[]; needs?: string | string[]; uses?: string; container?: string }
interface Workflow { on: Record<string, unknown>; permissions?: Record<string, string>; env?: Record<string, string>; jobs: Record<string, Job> }

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');
const workflow = (name: string) => parse(read(`.github/workflows/${name}`)) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);

describe('.github/workflows/ci.yml', () => {
  const ci = workflow('ci.yml');

  it('runs on pushes to main, pull requests, and when deploy.yml calls it', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
  });

  it('installs, type-checks, lints and tests through .ci/run, with the emulator and Chromium, then synthesizes the stack', () => {
    const all = steps(ci);
    expect(all.some((s) => s.run?.includes('apt-get install') && s.run.includes('chromium'))).toBe(true);
    expect(all.some((s) => s.run?.trim() === 'bash .ci/run')).toBe(true);
    const synth = all.find((s) => s.run?.includes('cdk synth'));
    expect(synth?.['working-directory']).toBe('infra');
    const script = read('.ci/run');
    for (const line of ['npm ci --no-audit', 'npm ci --prefix infra', 'export CBBD_REQUIRE_MOTO=1', 'export CBBD_REQUIRE_INFRA=1', 'apt-get install -y -qq chromium', "pip install --quiet 'moto[server]'", 'npm test']) {
      expect(script, `.ci/run: ${line}`).toContain(line);
    }
    expect(read('package.json')).toMatch(/"test": "[^"]*typecheck[^"]*lint[^"]*vitest run/);
  });
});

describe('.github/workflows/deploy.yml', () => {
  const deploy = workflow('deploy.yml');
  const all = steps(deploy);

  it('deploys from main (or by hand) after the tests pass', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on.push).toEqual({ branches: ['main'] });
    expect(deploy.jobs.test?.uses).toBe('./.github/workflows/ci.yml');
    expect(deploy.jobs.deploy?.needs).toBe('test');
  });

  it('gets AWS access through an OIDC role, with no stored key', () => {
    expect(deploy.permissions).toMatchObject({ 'id-token': 'write' });
    const credentials = all.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}' });
    expect(JSON.stringify(deploy)).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/i);
  });

  it('builds the Dockerfile, tags the image with the git SHA, pushes it to ECR, and registers a task definition with it', () => {
    expect(all.some((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login@'))).toBe(true);
    const build = all.find((s) => s.run?.includes('docker build'))!;
    expect(build.run).toMatch(/docker build .*\.$/m);
    expect(build.run).toContain('docker push');
    expect(build.env?.IMAGE).toContain('${{ github.sha }}');
    const render = all.find((s) => s.uses?.startsWith('aws-actions/amazon-ecs-render-task-definition@'))!;
    expect(render.with).toMatchObject({ 'container-name': '${{ env.CONTAINER_NAME }}', image: '${{ steps.image.outputs.image }}' });
    expect(all.some((s) => s.uses?.startsWith('aws-actions/amazon-ecs-deploy-task-definition@'))).toBe(true);
  });

  it('names the repository, the task family and the container as infra/ creates them', () => {
    expect(deploy.env).toMatchObject({ ECR_REPOSITORY: 'cbbd', TASK_FAMILY: 'cbbd', CONTAINER_NAME: 'cbbd' });
    expect(read('infra/src/task-runtime.ts')).toMatch(/repositoryName: 'cbbd'/);
    expect(read('infra/src/task-runtime.ts')).toMatch(/TASK_FAMILY = 'cbbd'/);
    expect(read('infra/src/container-contract.ts')).toMatch(/CONTAINER_NAME = 'cbbd'/);
  });
});
