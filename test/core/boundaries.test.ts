import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every import specifier of every TypeScript file under a folder, with the file it is in. */
function importsUnder(dir: string): { file: string; spec: string }[] {
  const out: { file: string; spec: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      out.push({ file: relative(process.cwd(), file), spec: (m[1] ?? m[2])! });
    }
  }
  return out;
}

describe('layer boundaries', () => {
  it('the kernel (src/core) imports nothing from the source, the lakehouse, the server, the CLI, config or assets', () => {
    const imports = importsUnder('src/core');
    expect(imports.length).toBeGreaterThan(20);
    const forbidden = imports.filter(({ spec }) => /(^|\/)(cbbd|lake|server|cli|config|assets)(\/|$)|^\.\.\/\.\.\//.test(spec) && spec.startsWith('.'));
    expect(forbidden).toEqual([]);
    // Nor the heavy drivers' SDKs.
    expect(imports.filter(({ spec }) => /^(@aws-sdk|@duckdb|hono|cbbd$)/.test(spec))).toEqual([]);
  });
});
