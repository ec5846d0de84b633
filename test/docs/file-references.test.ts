/**
 * The README and the manual in docs/ name only files that are in the repository: a path in the prose (`src/...`,
 * `test/...`, `bench/...`) that a move left behind sends a reader nowhere. Code blocks are examples (a file a reader
 * would write), not references, and are left out.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DOCUMENTS = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const PATH = /(?<![\w./-])((?:src|test|docs|bench|scripts|infra|assets|ui|bin|\.github|\.ci)\/[A-Za-z0-9_./-]+)/g;

/** The paths a document names outside its fenced code blocks. */
function referencedPaths(file: string): string[] {
  const prose = readFileSync(file, 'utf8').split(/^```[^\n]*\n[\s\S]*?^```$/m).join('\n');
  return [...prose.matchAll(PATH)].map((m) => m[1]!.replace(/[.,:;)]+$/, ''));
}

describe('the documentation names files that exist', () => {
  it.each(DOCUMENTS)('%s', (file) => {
    expect(referencedPaths(file).filter((path) => !existsSync(path))).toEqual([]);
  });
});
