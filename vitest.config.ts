import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'harness/**/*.test.ts',
      'workers-ts/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end tests start engines and workers; two cores do not take
    // several of those at once.
    fileParallelism: false,
    env: { OTEL_ENABLED: 'false' },
  },
});
