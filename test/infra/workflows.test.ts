/**
 * The GitHub workflows do what the README says, in the order a careful team wants: CI runs .ci/run once per push;
 * a deploy goes diff, tests, approval (a protected environment), deploy, smoke test; every action is pinned by commit
 * SHA; an OIDC token only where a job needs AWS.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step { name?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string>; 'working-directory'?: string; if?: string }
interface Job { steps?: Step[]; needs?: string | string[]; uses?: string; container?: string; environment?: string; permissions?: Record<string, string>; if?: string }
interface Workflow { on: Record<string, unknown>; permissions?: Record<string, string>; env?: Record<string, string>; jobs: Record<string, Job> }

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');
const workflow = (name: string) => parse(read(`.github/workflows/${name}`)) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
const WORKFLOWS = ['ci.yml', 'cdk-diff.yml', 'deploy.yml'];

describe('every workflow', () => {
  it.each(WORKFLOWS)('%s pins each action by a full commit SHA, with its tag in a comment', (name) => {
    const uses = read(`.github/workflows/${name}`).split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l));
    for (const line of uses) {
      if (/uses:\s+\.\//.test(line)) continue; // a workflow of this repository
      expect(line, `${name}: ${line.trim()}`).toMatch(/uses:\s+[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    }
  });

  it.each(WORKFLOWS)('%s asks for an OIDC token only in the jobs that need AWS, never for the whole workflow', (name) => {
    const w = workflow(name);
    expect(w.permissions).toEqual({ contents: 'read' });
    const withToken = Object.entries(w.jobs).filter(([, j]) => j.permissions?.['id-token'] === 'write').map(([id]) => id);
    expect(withToken, name).toEqual({ 'ci.yml': [], 'cdk-diff.yml': ['diff'], 'deploy.yml': ['diff', 'deploy'] }[name]);
    // A called workflow may not ask for more than its caller grants: deploy.yml calls ci.yml with contents: read.
    if (name === 'ci.yml') expect(JSON.stringify(w)).not.toContain('id-token');
  });
});

describe('.github/workflows/ci.yml', () => {
  const ci = workflow('ci.yml');

  it('runs on pushes to branches other than main, pull requests, and when deploy.yml calls it: main once per push', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
    expect(ci.on.push).toEqual({ 'branches-ignore': ['main'] });
    expect(workflow('deploy.yml').on.push).toEqual({ branches: ['main'] });
  });

  it('installs, type-checks, lints and tests through .ci/run on Node 24, with the emulator and Chromium; the stack is diffed on pull requests', () => {
    expect(ci.jobs.test?.container).toBe('node:24-bookworm');
    const all = steps(ci);
    expect(all.some((s) => s.run?.includes('apt-get install') && s.run.includes('chromium'))).toBe(true);
    expect(all.some((s) => s.run?.trim() === 'bash .ci/run')).toBe(true);
    // The cache follows every lock and pin file: a new pin makes a new venv.
    expect(all.find((s) => s.uses?.startsWith('actions/cache@'))?.with?.key).toContain("'test/python/*requirements.txt'");
    expect(Object.keys(workflow('cdk-diff.yml').on).sort()).toEqual(['pull_request', 'workflow_call']);
    const script = read('.ci/run');
    for (const line of ['source scripts/node24.sh', 'npm ci --no-audit', 'npm ci --prefix infra', 'export CBBD_REQUIRE_MOTO=1', 'export CBBD_REQUIRE_INFRA=1',
      'apt-get install -y -qq chromium', '--require-hashes', 'venv .venv-moto test/python/requirements.txt', 'venv .venv-lint test/python/lint-requirements.txt', 'npm test']) {
      expect(script, `.ci/run: ${line}`).toContain(line);
    }
    expect(read('package.json')).toMatch(/"test": "[^"]*typecheck[^"]*lint[^"]*vitest run/);
  });

  it('pins every Python test dependency with a version and a hash', () => {
    for (const file of ['test/python/requirements.txt', 'test/python/lint-requirements.txt']) {
      const packages = read(file).split('\n').filter((l) => /^[a-z0-9]/i.test(l));
      expect(packages.length).toBeGreaterThan(3);
      for (const line of packages) expect(line, `${file}: ${line}`).toMatch(/^[\w.-]+==[\w.]+ \\$/);
      expect(read(file).match(/--hash=sha256:[0-9a-f]{64}/g)!.length).toBeGreaterThanOrEqual(packages.length);
    }
    expect(read('test/python/requirements.txt')).toMatch(/^moto==5\.2\.6 \\$/m);
    expect(read('test/python/requirements.txt')).toMatch(/^botocore==1\.35\.\d+ \\$/m);
  });
});

describe('.github/workflows/deploy.yml', () => {
  const deploy = workflow('deploy.yml');
  const job = deploy.jobs.deploy!;
  const names = (job.steps ?? []).map((s) => s.name ?? s.uses ?? '');

  it('goes diff, tests, approval, deploy, smoke test', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.jobs.diff?.uses).toBe('./.github/workflows/cdk-diff.yml');
    expect(deploy.jobs.test?.uses).toBe('./.github/workflows/ci.yml');
    expect(job.needs).toEqual(['diff', 'test']);
    // The approval: the environment's required reviewers; the deploy role trusts this environment only.
    expect(job.environment).toBe('production');
    const at = (pattern: RegExp) => names.findIndex((n) => pattern.test(n));
    const order = [at(/^Build and push/), at(/^cdk deploy/), at(/^Smoke test/)];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('gets AWS access through an OIDC role, with no stored key', () => {
    const credentials = (job.steps ?? []).find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}' });
    expect(JSON.stringify(deploy)).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/i);
  });

  it('builds the image once per commit (a re-run skips the push the immutable repository would refuse), deploys it with cdk, then smoke-tests it', () => {
    const build = (job.steps ?? []).find((s) => s.name?.startsWith('Build and push'))!;
    expect(build.env?.IMAGE).toContain('${{ github.sha }}');
    expect(build.run).toMatch(/aws ecr describe-images [^\n]*imageTag="\$GITHUB_SHA"[^\n]*\n[^\n]*\n\s*exit 0/);
    // The Dockerfile's pinned base image, not one resolved at build time (which would change the image unreviewed).
    expect(build.run).toMatch(/^\s*docker build --pull -t "\$IMAGE" \.$/m);
    expect(build.run).not.toContain('--build-arg');
    expect(build.run).toContain('docker push "$IMAGE"');
    const cdk = (job.steps ?? []).find((s) => s.name?.startsWith('cdk deploy'))!;
    expect(cdk['working-directory']).toBe('infra');
    expect(cdk.run).toContain('npx cdk deploy --require-approval never -c imageTag="$GITHUB_SHA"');
    // Nothing else registers task definitions: the stack is their one owner.
    expect(JSON.stringify(deploy)).not.toMatch(/register-task-definition|amazon-ecs-deploy-task-definition/);
    const smoke = read('.github/scripts/smoke-test.sh');
    expect(smoke).toContain(`run '["status"]'`);
    expect(smoke).toContain(`run '["plan","*","--season","current"]'`);
    expect(smoke).toMatch(/exitCode[\s\S]*if \[ "\$code" != "0" \]/);
  });

  it('names the repository and the stack as infra/ creates them', () => {
    expect(job).toMatchObject({ env: { ECR_REPOSITORY: 'cbbd', STACK_NAME: 'Cbbd' } });
    expect(read('infra/src/task-runtime.ts')).toMatch(/repositoryName: 'cbbd'/);
    expect(read('infra/src/build-app.ts')).toMatch(/new CbbdStack\(app, 'Cbbd'/);
    for (const output of ['ClusterName', 'TaskDefinitionArn', 'TaskSubnets', 'TaskSecurityGroup', 'TaskAssignPublicIp']) {
      expect(read('infra/src/cbbd-stack.ts')).toContain(`'${output}'`);
      expect(read('.github/scripts/smoke-test.sh')).toContain(`output ${output}`);
    }
  });
});

describe('the base image', () => {
  it('is pinned by digest, once, with its tag, and Dependabot proposes the next digest', () => {
    const dockerfile = read('Dockerfile');
    const froms = dockerfile.split('\n').filter((l) => /^FROM\s/.test(l));
    // One external image, by tag and digest; every stage starts from it.
    expect(froms[0]).toMatch(/^FROM node:24-bookworm-slim@sha256:[0-9a-f]{64} AS base$/);
    expect(froms.slice(1)).toEqual(['FROM base AS build', 'FROM base AS deps', 'FROM base']);
    expect(dockerfile).not.toMatch(/^ARG /m);
    const dependabot = parse(read('.github/dependabot.yml')) as { updates: { 'package-ecosystem': string; directory: string }[] };
    expect(dependabot.updates).toContainEqual(expect.objectContaining({ 'package-ecosystem': 'docker', directory: '/' }));
  });
});
