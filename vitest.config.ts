import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // A test imports the sources; a fixture importing the package by its name (as a user's project does) must get the
  // same modules, not the compiled copy package.json's `exports` gives Node.
  resolve: {
    alias: [
      { find: /^cbbd-orchestrator$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^cbbd-orchestrator\/assets$/, replacement: fileURLToPath(new URL('./assets/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The AWS emulator (moto server), started once for the whole run.
    globalSetup: ['./test/moto-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The CLI end-to-end tests spawn processes; two workers match the machine's two cores.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
