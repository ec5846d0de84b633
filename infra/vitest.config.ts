import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Synthesizing the stack takes a few seconds of CPU; the machine the root suite shares has two cores.
    testTimeout: 60_000,
    maxWorkers: 1,
  },
});
