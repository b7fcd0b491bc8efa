/**
 * The opt-in multi-threaded wasm build (src/core/engine/wasm-threads.ts), run in child processes
 * because the thread pool is chosen when the wasm backend first initialises: it really starts
 * 2 threads, and training with them gives the same losses as the single-threaded build, the
 * same in every run.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { initBackend, setWasmThreads } from '../../../src/core/engine';
import { losses } from './fixtures/thread-losses-run';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

async function child(threads: number): Promise<{ device: string; losses: number[] }> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'fixtures', 'thread-losses.ts')],
    { env: { ...process.env, HOMOLAB_WASM_THREADS: String(threads) }, maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as { device: string; losses: number[] };
}

describe('multi-threaded wasm', () => {
  it('rejects thread counts outside 1..8', () => {
    for (const n of [0, 9, 1.5]) expect(() => setWasmThreads(n)).toThrow(/1\.\.8/);
  });

  it('runs 2 threads deterministically, with the single-threaded losses', async () => {
    await initBackend('wasm');
    const single = await losses();
    const [a, b] = await Promise.all([child(2), child(2)]);
    expect(a.device).toBe('wasm SIMD, 2 threads');
    expect(a.losses).toEqual(b.losses);
    expect(a.losses).toHaveLength(single.length);
    a.losses.forEach((l, i) => expect(Math.abs(l - single[i]) / single[i]).toBeLessThan(1e-5));
  }, 120_000);
});
