/**
 * Tools nobody here wrote, on what the repository ships: cfn-lint and checkov on the template `cdk synth` makes,
 * checkov on the GitHub workflows, hadolint and checkov on the Dockerfile. Each must be clean; a finding the project
 * accepts is accepted where it applies, with its reason (infra/src/nag.ts, the resource's metadata, the Dockerfile's
 * `checkov:skip` comments), never here. The tools come pinned from test/python/*requirements.txt (.ci/run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const INFRA = join(ROOT, 'infra');
const CFN_LINT = join(ROOT, '.venv-moto/bin/cfn-lint');
const CHECKOV = join(ROOT, '.venv-lint/bin/checkov');
const HADOLINT = join(ROOT, '.venv-lint/bin/hadolint');
const required = process.env.CBBD_REQUIRE_INFRA === '1';
const available = existsSync(join(INFRA, 'node_modules/aws-cdk-lib')) && existsSync(CHECKOV) && existsSync(CFN_LINT);
if (!available && !required) {
  console.warn('\n!!! static checks of the template, workflows and Dockerfile SKIPPED: run `bash .ci/run` once (infra/node_modules, .venv-moto, .venv-lint).\n');
}

/**
 * cfn-lint's W3005 ("dependency already enforced by a GetAtt") is about a DependsOn that CDK itself writes for the
 * state machine's role policy: harmless, and not ours to remove.
 */
const CFN_LINT_IGNORED = ['W3005'];

function tool(command: string, args: readonly string[]) {
  // checkov asks a web service for its guidelines first; offline it would wait and print a traceback.
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', NO_COLOR: '1' }, timeout: 300_000 });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe.runIf(available || required)('static checks of what ships to AWS and GitHub', () => {
  let template: string;
  beforeAll(() => {
    expect(available, 'infra/node_modules, .venv-moto or .venv-lint is missing: run `bash .ci/run`').toBe(true);
    const r = spawnSync(join(INFRA, 'node_modules/.bin/tsx'), ['bin/template.ts'], { cwd: INFRA, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    template = join(mkdtempSync(join(tmpdir(), 'cbbd-static-')), 'Cbbd.template.json');
    writeFileSync(template, r.stdout);
  }, 300_000);

  it('cfn-lint passes the synthesized template', () => {
    const r = tool(CFN_LINT, ['--ignore-checks', ...CFN_LINT_IGNORED, '--', template]);
    expect(r.code, r.output).toBe(0);
  });

  it('checkov passes the synthesized template', () => {
    const r = tool(CHECKOV, ['-f', template, '--framework', 'cloudformation', '--compact', '--skip-download', '--quiet']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Passed checks: \d+, Failed checks: 0/);
  });

  it('checkov passes the GitHub workflows', () => {
    const r = tool(CHECKOV, ['-d', '.github/workflows', '--framework', 'github_actions', '--compact', '--skip-download', '--quiet']);
    expect(r.code, r.output).toBe(0);
  });

  it('hadolint and checkov pass the Dockerfile', () => {
    const hadolint = tool(HADOLINT, ['Dockerfile']);
    expect(hadolint.code, hadolint.output).toBe(0);
    const checkov = tool(CHECKOV, ['-f', 'Dockerfile', '--framework', 'dockerfile', '--compact', '--skip-download', '--quiet']);
    expect(checkov.code, checkov.output).toBe(0);
  });
});
