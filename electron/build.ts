/**
 * Bundles the desktop app's main-side code with esbuild into dist/electron/:
 *   main.js (ESM), preload.cjs (sandboxed preloads must be CommonJS with only `electron`
 *   external) and worker-main.js (the utilityProcess training worker).
 * Dependencies stay external (electron-builder packs node_modules; natives are unpacked).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { OPERATION_NAMES } from '../src/api/contract';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'electron');
const common = {
  bundle: true,
  platform: 'node' as const,
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning' as const,
};

/** Bundles main, preload and worker; `outDir` defaults to dist/electron. */
export async function buildElectron(outDir = out): Promise<void> {
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'electron/main.ts')],
      outfile: join(outDir, 'main.js'),
      format: 'esm',
      packages: 'external',
    }),
    build({
      ...common,
      entryPoints: [join(root, 'electron/preload.ts')],
      outfile: join(outDir, 'preload.cjs'),
      format: 'cjs',
      external: ['electron'],
      define: { __HOMOLAB_OPERATIONS__: JSON.stringify(OPERATION_NAMES) },
    }),
    build({
      ...common,
      entryPoints: [join(root, 'src/experiments/execution/worker/worker-main.ts')],
      outfile: join(outDir, 'worker-main.js'),
      format: 'esm',
      packages: 'external',
    }),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildElectron();
  console.log(`built ${out}`);
}
