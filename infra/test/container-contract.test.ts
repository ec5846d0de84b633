import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASSETS_MODULE, CLI_SCRIPT, DATA_DIR } from '../src/container-contract.ts';

/** The image the task runs is built from the repository's Dockerfile; the task definition assumes its layout. */
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

describe('the task definition and the Dockerfile agree', () => {
  it('on the program the entry point starts', () => {
    const entrypoint = /^ENTRYPOINT\s+(.*)$/m.exec(dockerfile)?.[1];
    expect(entrypoint, 'the Dockerfile has no ENTRYPOINT line').toBeDefined();
    expect(JSON.parse(entrypoint!), `update CLI_SCRIPT in infra/src/container-contract.ts to the Dockerfile's ENTRYPOINT`).toEqual(['node', CLI_SCRIPT]);
  });

  it('on where the asset declarations are and on a writable data folder', () => {
    expect(dockerfile, `update ASSETS_MODULE in infra/src/container-contract.ts to the image's assets module`).toContain(ASSETS_MODULE);
    expect(dockerfile).toMatch(new RegExp(`chown [^\\n]*${DATA_DIR}`));
  });
});
