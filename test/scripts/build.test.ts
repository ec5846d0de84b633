import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, rewriteImportSpecifiers } from '../../scripts/build.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Each asset's code version, from the assets module at `moduleUrl`, computed in a fresh process. */
function codeVersions(nodeArgs: string[], moduleUrl: string): Record<string, string> {
  const script = `const { createAssets } = await import(process.argv[1]);
process.stdout.write(JSON.stringify(Object.fromEntries(createAssets({}).map((a) => [a.key, a.codeVersion]))));`;
  const result = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script, moduleUrl], { cwd: ROOT, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, string>;
}

describe('the build step (scripts/build.ts)', () => {
  beforeAll(async () => {
    await build();
  }, 120_000);

  it('gives every asset the code version it has from the sources, so running compiled after tsx restales nothing', () => {
    const fromSources = codeVersions(['--import', 'tsx'], new URL('assets/index.ts', `file://${ROOT}/`).href);
    const compiled = codeVersions([], new URL('dist/assets/index.js', `file://${ROOT}/`).href);
    expect(Object.keys(fromSources).length).toBeGreaterThan(50);
    // The solver's version hashes source texts read beside the module: the case most likely to drift.
    expect(Object.keys(fromSources).filter((k) => fromSources[k]!.startsWith('solver.'))).not.toEqual([]);
    expect(compiled).toEqual(fromSources);
  }, 120_000);

  it('rewrites relative .ts specifiers (static, re-exported, dynamic) and vendored packages, and nothing else', () => {
    const code = [
      'import{a}from"./a.ts";export*from"../b/c.ts";const d=await import("./d.ts");import{sql}from"kysely";',
      'import{z}from"zod";import x from"node:fs";import y from"croner";const text="./not-an-import.ts";',
    ].join('');
    const out = rewriteImportSpecifiers(code, join(ROOT, 'dist/src/core/x.js'));
    expect(out).toBe([
      'import{a}from"./a.js";export*from"../b/c.js";const d=await import("./d.js");import{sql}from"../../vendor/kysely.js";',
      'import{z}from"../../vendor/zod.js";import x from"node:fs";import y from"croner";const text="./not-an-import.ts";',
    ].join(''));
  });
});

describe('bin/cbbd.js in a checkout', () => {
  let dir: string;
  /** `cbbd` in the copy, with Node's compile cache in a folder of the copy's own (NODE_COMPILE_CACHE). */
  const cbbd = (...argv: string[]) =>
    spawnSync(process.execPath, [join(dir, 'bin/cbbd.js'), ...argv], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', NODE_COMPILE_CACHE: join(dir, '.compile-cache') } });

  beforeAll(() => {
    // A copy of the checkout (its own dist/), so editing a source here cannot disturb anyone else's run.
    // With a space in its path: the launcher must not take a URL's %20 for a file name.
    dir = mkdtempSync(join(tmpdir(), 'cbbd build-'));
    for (const entry of ['bin', 'src', 'assets', 'scripts', 'ui', 'package.json', 'package-lock.json', 'tsconfig.json', 'config.yaml']) {
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds dist/ when there is none, then runs an edited source as edited, never the stale compiled one', () => {
    const first = cbbd('--help');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Keep a college-basketball lakehouse');
    expect(readFileSync(join(dir, 'dist/src/cli/main.js'), 'utf8')).toContain('Keep a college-basketball lakehouse');
    // The first run filled Node's compile cache; the second starts from it.
    expect(existsSync(join(dir, '.compile-cache'))).toBe(true);
    const second = cbbd('--help');
    expect(second.stdout).toContain('Keep a college-basketball lakehouse');
    expect(second.stderr).toBe('');

    // An edit of the same length, with the compile cache of the old text in place: Node checks its cache by the
    // file's content, so the edited code runs.
    const main = join(dir, 'src/cli/main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace('Keep a college-basketball lakehouse', 'Keep a COLLEGE-BASKETBALL lakehouse'));
    const edited = cbbd('--help');
    expect(edited.status).toBe(0);
    expect(edited.stdout).toContain('Keep a COLLEGE-BASKETBALL lakehouse');
    expect(edited.stderr).toBe('');
    expect(readFileSync(join(dir, 'dist/src/cli/main.js'), 'utf8')).toContain('Keep a COLLEGE-BASKETBALL lakehouse');
    expect(cbbd('--help').stdout).toContain('Keep a COLLEGE-BASKETBALL lakehouse');
  }, 120_000);

  /**
   * A user's assets module `name` importing the kernel from `kernel` (the package by its name, or the compiled files): `raw/hello`,
   * and `raw/broken`, whose PermanentError must not be retried. With two copies of the kernel it would not be the CLI's
   * PermanentError, and the materializer would retry it. The config file, and the log of each computation of raw/broken.
   */
  function userAssets(name: string, kernel: string): { config: string; computed: string } {
    const fixture = join(dir, name);
    const computed = join(dir, `${name}.computed`);
    writeFileSync(fixture, [
      "import { appendFileSync } from 'node:fs';",
      ...kernel === 'by name'
        ? ["import { defineAsset, PermanentError } from 'cbbd-orchestrator';"]
        : [`import { defineAsset } from './${kernel}/core/asset.js';`, `import { PermanentError } from './${kernel}/core/errors.js';`],
      'export const assets = [',
      '  defineAsset({ key: "raw/hello", partitions: { kind: "none" }, codeVersion: "1" }, async () => ({ rows: 0 })),',
      `  defineAsset({ key: "raw/broken", partitions: { kind: "none" }, codeVersion: "1" }, async () => { appendFileSync(${JSON.stringify(computed)}, "computed\\n"); throw new PermanentError("broken for good"); }),`,
      '];',
    ].join('\n'));
    const config = join(dir, `${name}.yaml`);
    const data = join(dir, `${name}.data`);
    writeFileSync(config, `assets: ${fixture}\nlakehouse: { root: ${data}/lh }\nrunLog: { path: ${data}/runlog.sqlite }\ncheckpoints: { path: ${data}/cp.sqlite }\nmaterialize: { retries: 2 }\n`);
    return { config, computed };
  }

  for (const [language, name, kernel] of [['TypeScript assets module importing the package by name (through tsx)', 'my-assets.ts', 'by name'], ['JavaScript assets module importing the compiled files', 'my-assets.mjs', 'dist/src']] as const) {
    it(`runs a user ${language} with one copy of the kernel`, () => {
      const { config, computed } = userAssets(name, kernel);
      const status = cbbd('--config', config, 'status');
      expect(status.stderr).not.toMatch(/could not be loaded/);
      expect(status.stdout).toContain('raw/hello');
      expect(status.status).toBe(0);

      const materialize = cbbd('--config', config, 'materialize', 'raw/broken');
      expect(materialize.status).toBe(1);
      expect(`${materialize.stdout}${materialize.stderr}`).toContain('broken for good');
      expect(readFileSync(computed, 'utf8')).toBe('computed\n');
    }, 120_000);
  }

  it('runs the sources through tsx when the build fails, and a module importing the package by name gets them too', () => {
    // A new source whose output folder cannot be made (a file is in its way): the build fails.
    mkdirSync(join(dir, 'src/zz-new'), { recursive: true });
    writeFileSync(join(dir, 'src/zz-new/module.ts'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'dist/src/zz-new'), 'in the way');
    try {
      const { config, computed } = userAssets('fallback-assets.ts', 'by name');
      const materialize = cbbd('--config', config, 'materialize', 'raw/broken');
      expect(materialize.stderr).toContain('running the sources through tsx');
      expect(materialize.status).toBe(1);
      expect(`${materialize.stdout}${materialize.stderr}`).toContain('broken for good');
      // One kernel: the CLI (from the sources) knows the PermanentError the module threw, and does not retry it.
      expect(readFileSync(computed, 'utf8')).toBe('computed\n');
    } finally {
      rmSync(join(dir, 'dist/src/zz-new'));
      rmSync(join(dir, 'src/zz-new'), { recursive: true });
    }
  }, 120_000);
});
