import { defineConfig } from 'vitest/config';

// Node-side suites run in forks (tfjs and better-sqlite3 are native/wasm and not thread-safe to share).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
