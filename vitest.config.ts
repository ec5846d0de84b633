import { defineConfig } from 'vitest/config';

export default defineConfig({
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
