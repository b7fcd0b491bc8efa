import { defineConfig } from 'vitest/config';

// End-to-end suites drive Debian's Chromium (and Electron where its binary exists) against a
// real `homolab serve`; one file at a time, generous timeouts for training.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
