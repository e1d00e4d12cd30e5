// The root vitest.config.ts includes only test/, workers-ts/test/ and
// examples/; this folder's tests run with
//   npx vitest run -c harness/fault-proxy/vitest.config.ts
// until the root include gains 'harness/**/*.test.ts'.
import { defineConfig } from 'vitest/config';
import root from '../../vitest.config.ts';

export default defineConfig({
  ...root,
  root: new URL('../..', import.meta.url).pathname,
  // Replaces the root list (mergeConfig would append to it).
  test: { ...root.test, include: ['harness/fault-proxy/**/*.test.ts'] },
});
