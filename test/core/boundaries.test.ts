import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every import specifier of every TypeScript file under a folder, with the file it is in. */
function importsUnder(dir: string): { file: string; spec: string }[] {
  const out: { file: string; spec: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(ts|js)$/.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    // `import x from 'm'`, `export ... from 'm'`, `import('m')` and the side-effect `import 'm'`.
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
      out.push({ file: relative(process.cwd(), file), spec: (m[1] ?? m[2] ?? m[3])! });
    }
  }
  return out;
}

/** The areas a relative import reaches: `src/lake`, `assets`, ... */
function areaOf(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = relative(process.cwd(), join(dirname(file), spec));
  const m = /^(src\/[a-z]+|assets|ui|test|bench|scripts)(\/|$)/.exec(target);
  return m?.[1];
}

/** Who may import whom (ARCHITECTURE.md, "Layers of the code"); each area's index.ts says the same in its header. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  'src/core': ['src/core'],
  'src/store': ['src/store', 'src/core'],
  'src/lake': ['src/lake', 'src/core'],
  // What asset authors write with (SQL assets, the table writer, inputs, the raw kit, stored checks).
  'src/authoring': ['src/authoring', 'src/core', 'src/lake'],
  'src/cbbd': ['src/cbbd', 'src/core', 'src/lake'],
  // The simulator: a CBBD-compatible server of a simulated world; it serves the source's endpoint catalog.
  'src/sim': ['src/sim', 'src/core', 'src/cbbd'],
  'src/config': ['src/config', 'src/core'],
  'src/server': ['src/server', 'src/core', 'src/store'],
  'src/schedule': ['src/schedule', 'src/core', 'src/config', 'src/store'],
  // The composition root: every area of src/, never the project (assets/ is loaded from config, by path).
  'src/cli': ['src/cli', 'src/core', 'src/store', 'src/lake', 'src/authoring', 'src/cbbd', 'src/sim', 'src/config', 'src/server', 'src/schedule'],
  assets: ['assets', 'src/core', 'src/authoring', 'src/lake', 'src/cbbd'],
};

describe('layer boundaries', () => {
  it.each(Object.entries(MAY_IMPORT))('%s imports only from %j', (area, allowed) => {
    const imports = importsUnder(area);
    expect(imports.length).toBeGreaterThan(5);
    const crossing = imports
      .map(({ file, spec }) => ({ file, spec, to: areaOf(file, spec) }))
      .filter(({ to }) => to !== undefined && !allowed.includes(to));
    expect(crossing).toEqual([]);
  });

  it('the kernel loads none of the heavy drivers\' SDKs', () => {
    expect(importsUnder('src/core').filter(({ spec }) => /^(@aws-sdk|@duckdb|hono|cbbd$)/.test(spec))).toEqual([]);
  });

  it('src/ never imports the project (assets/): not even a type', () => {
    const areas = readdirSync('src', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `src/${e.name}`);
    expect(areas.flatMap((area) => importsUnder(area)).filter(({ file, spec }) => areaOf(file, spec) === 'assets')).toEqual([]);
  });

  it.each(Object.keys(MAY_IMPORT).filter((a) => a.startsWith('src/') && a !== 'src/cli'))('%s/index.ts is its public surface and says what it may import', (area) => {
    const header = readFileSync(join(area, 'index.ts'), 'utf8');
    expect(header).toMatch(/^\/\*\*[\s\S]*May import: [^\n]+/);
  });
});
