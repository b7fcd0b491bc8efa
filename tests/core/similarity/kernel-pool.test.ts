import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { debiasedCka, linearCka } from '../../../src/core/similarity/cka';
import {
  crossProduct,
  gram,
  kernelPoolReady,
  kernelPoolWorkerItems,
  kernelThreads,
  setKernelThreads,
} from '../../../src/core/similarity/kernels';
import type { Matrix } from '../../../src/core/similarity/matrix';
import { between, freshSeed, randn } from './random';

const ROOT = path.resolve(__dirname, '../../..');

/** Index of the first value differing in its bits (-1 when identical in shape and bits). */
function firstBitDifference(a: Matrix[], b: Matrix[]): string | undefined {
  for (let m = 0; m < a.length; m++) {
    const x = new BigUint64Array(a[m].data.buffer, a[m].data.byteOffset, a[m].data.length);
    const y = new BigUint64Array(b[m].data.buffer, b[m].data.byteOffset, b[m].data.length);
    if (x.length !== y.length) return `product ${m}: lengths ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++)
      if (x[i] !== y[i]) return `product ${m}[${i}]: ${a[m].data[i]} vs ${b[m].data[i]}`;
  }
  return undefined;
}

/** Everything the threaded products feed, on inputs above the threading threshold (4M MACs). */
function products(rng: Rng): Matrix[] {
  const n = between(rng, 1100, 1400);
  const x = randn(rng, n, between(rng, 85, 100)); // not multiples of 4: padded panels too
  const y = randn(rng, n, between(rng, 85, 100));
  for (let i = 0; i < y.data.length; i++) y.data[i] += 0.5 * x.data[i % x.data.length];
  const g = randn(rng, between(rng, 700, 900), between(rng, 20, 30));
  const ckas = { rows: 1, cols: 2, data: Float64Array.of(linearCka(x, y), debiasedCka(x, y)) };
  return [crossProduct(x, y), crossProduct(x, x), gram(g), ckas];
}

describe('the worker pool behind the large float64 products', () => {
  afterAll(() => setKernelThreads(undefined));

  it('gives bit-for-bit the single-thread results, with the workers taking part', async () => {
    const seed = freshSeed();
    setKernelThreads(1);
    expect(kernelThreads()).toBe(1);
    const single = products(new Rng(seed));
    setKernelThreads(2);
    expect(kernelThreads()).toBe(2);
    products(new Rng(seed)); // starts the pool
    await kernelPoolReady();
    // The calling thread also takes items; retry until the worker has claimed some.
    let threaded: Matrix[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = kernelPoolWorkerItems();
      threaded = products(new Rng(seed));
      if (kernelPoolWorkerItems() > before) break;
    }
    expect(kernelPoolWorkerItems(), `seed ${seed}`).toBeGreaterThan(0);
    expect(firstBitDifference(threaded, single), `seed ${seed}`).toBeUndefined();
  }, 60_000);

  it('rejects a thread count that is not a positive integer', () => {
    expect(() => setKernelThreads(0)).toThrow(/positive integer/);
    expect(() => setKernelThreads(1.5)).toThrow(/positive integer/);
  });

  it('never keeps a process alive: a child computing a large CKA exits promptly', () => {
    const script = `
      import { linearCka } from ${JSON.stringify(path.join(ROOT, 'src/core/similarity/cka.ts'))};
      import { kernelPoolReady, kernelPoolWorkerItems, setKernelThreads } from ${JSON.stringify(
        path.join(ROOT, 'src/core/similarity/kernels.ts'),
      )};
      setKernelThreads(2);
      const n = 2048, d = 160;
      const m = (f) => ({ rows: n, cols: d, data: Float64Array.from({ length: n * d }, (_, i) => f(i)) });
      const x = m((i) => Math.sin(i * 0.37));
      const y = m((i) => Math.sin(i * 0.37) + Math.cos(i * 0.11));
      linearCka(x, y);
      await kernelPoolReady();
      let v = 0;
      for (let r = 0; r < 3; r++) v = linearCka(x, y);
      console.log(JSON.stringify({ v, workerItems: kernelPoolWorkerItems() }));
    `;
    const t = performance.now();
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
    );
    const seconds = (performance.now() - t) / 1000;
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { v: number; workerItems: number };
    expect(out.v).toBeGreaterThan(0);
    expect(out.v).toBeLessThanOrEqual(1);
    expect(out.workerItems).toBeGreaterThan(0);
    // tsx start-up plus ~0.1 s of work; a worker holding the process open would hit the timeout.
    expect(seconds).toBeLessThan(20);
  }, 40_000);
});
