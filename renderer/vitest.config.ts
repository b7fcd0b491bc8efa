import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Renderer component and store tests: Vue SFCs in happy-dom. Files are *.spec.ts so the root
// Node suite (tests/**/*.test.ts) does not pick them up.
export default defineConfig({
  plugins: [vue()],
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['tests/renderer/**/*.spec.ts'],
    environment: 'happy-dom',
    pool: 'forks',
    testTimeout: 60_000,
  },
});
