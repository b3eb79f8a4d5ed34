import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/src/**/*.test.ts', '*/web/**/*.test.ts', 'center/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start real servers on free ports; run files one at a time so
    // two cores are not oversubscribed and timing-based rules stay stable.
    fileParallelism: false,
    reporters: ['default'],
  },
});
