/**
 * The WebAssembly SIMD kernels that run on tfjs-wasm's own heap (src/core/kernels/wasm-simd.ts,
 * *-simd.wat) equal the JS heap kernels they accelerate up to float32 rounding, forward and
 * backward, on shapes the model never uses (T not a multiple of 4, several heads, odd element
 * counts); shapes they do not cover fall back to JS; and the shared-memory variant loads and
 * agrees under the threaded tfjs build (in a child process: the build is chosen at first init).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import { ATTENTION_KERNEL, fusedLayerNorm } from '../../../src/core/kernels';
import { runHeapKernel } from '../../../src/core/kernels/heap-kernel';
import { setSimdKernels } from '../../../src/core/kernels/wasm-simd';
import type { CaseResult } from './fixtures/simd-compare';
import {
  ADAMW_CASES,
  ATTENTION_CASES,
  TRANSPOSE_CASES,
  adamwCase,
  transposeCase,
  GELU_SIZES,
  NORM_CASES,
  attentionCase,
  geluCase,
  normCase,
  simdStatus,
} from './fixtures/simd-compare';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

/** Float32 rounding of short sums: observed ≤ 1e-6 of the tensor's largest magnitude. */
const TOL = 4e-6;

function expectClose(r: CaseResult): void {
  const bad = r.diffs.filter((d) => !(d < TOL));
  expect(bad, `${r.name}: ${r.diffs.map((d) => d.toExponential(1)).join(' ')}`).toEqual([]);
}

describe('WebAssembly SIMD heap kernels on wasm', () => {
  afterAll(() => setSimdKernels(true));

  it('load on the single-threaded build (plain memory)', async () => {
    await initBackend('wasm');
    expect(simdStatus()).toEqual({ shared: false, loaded: [true, true, true, true, true] });
  });

  it.each(ATTENTION_CASES)(
    'attention [M=%i, T=%i, d=%i, H=%i] equals the JS kernel',
    async (...c) => {
      await initBackend('wasm');
      expectClose(attentionCase(c));
    },
  );

  it.each(GELU_SIZES)('GELU of %i elements equals the JS kernel', async (n) => {
    await initBackend('wasm');
    expectClose(geluCase(n));
  });

  it.each(NORM_CASES)(
    'LayerNorm and RMSNorm [K=%i, N=%i, d=%i] equal the JS kernel',
    async (...c) => {
      await initBackend('wasm');
      expectClose(normCase(c, true));
      expectClose(normCase(c, false));
    },
  );

  it.each(ADAMW_CASES)('AdamW on $shape is bit-identical to the JS kernel', async (c) => {
    await initBackend('wasm');
    expect(adamwCase(c).diffs).toEqual([0, 0, 0]);
  });

  it.each(TRANSPOSE_CASES)('transpose of $shape by $perm moves the same numbers', async (c) => {
    await initBackend('wasm');
    expect(transposeCase(c).diffs).toEqual([0]);
  });

  it('falls back to the JS kernels where the SIMD ones do not apply (hd or d not a multiple of 4)', async () => {
    await initBackend('wasm');
    // Bit-identical with SIMD on and off: the JS kernel ran both times.
    expect(attentionCase([2, 5, 10, 2]).diffs).toEqual([0, 0, 0, 0]);
    expect(normCase([2, 3, 6], true).diffs).toEqual([0, 0, 0, 0]);
  });

  it('is deterministic and leaves the inputs untouched', async () => {
    await initBackend('wasm');
    const [q, k, v] = [1, 2, 3].map((s) => tf.randomNormal([3, 9, 32], 0, 1, 'float32', s));
    const before = [q, k, v].map((t) => Array.from(t.dataSync()));
    const a = runHeapKernel(ATTENTION_KERNEL, { q, k, v }, { heads: 4 });
    const b = runHeapKernel(ATTENTION_KERNEL, { q, k, v }, { heads: 4 });
    a.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(b[i].dataSync())));
    [q, k, v].forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(before[i]));
    const g = tf.ones([3, 32]);
    const z = tf.zeros([3, 32]);
    const y1 = fusedLayerNorm(q, g, z, 1e-5);
    const y2 = fusedLayerNorm(q, g, z, 1e-5);
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y2.dataSync()));
    tf.dispose([q, k, v, ...a, ...b, g, z, y1, y2]);
  });

  it('loads the shared-memory variant under the threaded build, with the same results', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures', 'simd-threads.ts')],
      { env: { ...process.env, HOMOLAB_WASM_THREADS: '2' }, maxBuffer: 1 << 24 },
    );
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
      device: string;
      shared: boolean;
      loaded: boolean[];
      cases: CaseResult[];
    };
    expect(out.device).toBe('wasm SIMD, 2 threads');
    expect(out.shared).toBe(true);
    expect(out.loaded).toEqual([true, true, true, true, true]);
    out.cases.forEach((c) =>
      /^(adamw|transpose)/.test(c.name)
        ? expect(c.diffs.every((d) => d === 0)).toBe(true)
        : expectClose(c),
    );
  }, 120_000);
});
