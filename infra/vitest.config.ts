import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A synth with CDK's CloudFormation check takes about 15 s of CPU, minutes of wall time on a loaded 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    maxWorkers: 1,
  },
});
