/**
 * infra/ (the AWS CDK app) is its own package, so the main install stays light: this runs its type-check, lint and
 * tests (which synthesize the stack offline) when `npm ci --prefix infra` has been run, and otherwise skips loudly.
 * CBBD_REQUIRE_INFRA=1 (set by .ci/run) turns the skip into a failure.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const INFRA = resolve(import.meta.dirname, '../../infra');
const installed = existsSync(resolve(INFRA, 'node_modules/aws-cdk-lib'));
const required = process.env.CBBD_REQUIRE_INFRA === '1';
const HOW = 'run `npm ci --prefix infra` (about 330 MB: aws-cdk-lib, cdk-nag)';

/** A loaded 2-core machine takes minutes for the synths; the process group is ended if it takes longer than this. */
const LIMIT_MS = 15 * 60_000;

function runInfraTests(): Promise<{ code: number | null; output: string }> {
  return new Promise((ok, fail) => {
    // Its own process group, so a timeout ends npm, tsc, eslint and vitest together, by this child's pid.
    const child = spawn('npm', ['test', '--silent'], { cwd: INFRA, detached: true, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[infra tests still running after ${LIMIT_MS / 60_000} minutes: stopped]`;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, LIMIT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex
      ok({ code, output: output.replace(/\x1b\[[0-9;]*m/g, '') });
    });
  });
}

if (!installed && !required) {
  console.warn(`\n!!! infra/ tests SKIPPED: infra/node_modules is missing. To type-check, lint and synthesize the AWS stack, ${HOW}.\n`);
}

describe.runIf(installed || required)('infra/: the AWS CDK app', () => {
  it('type-checks, lints, and passes its tests (the stack synthesized offline, cdk-nag clean)', async () => {
    expect(installed, `infra/node_modules is missing and CBBD_REQUIRE_INFRA=1: ${HOW}`).toBe(true);
    const { code, output } = await runInfraTests();
    expect(code, `npm test in infra/ failed:\n${output.split('\n').slice(-80).join('\n')}`).toBe(0);
    expect(output).toMatch(/Tests\s+\d+ passed/);
  }, LIMIT_MS + 30_000);
});
