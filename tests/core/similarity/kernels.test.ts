import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  centeredCrossProduct,
  crossProduct,
  gram,
  rowDots,
  setKernel,
  wasmKernelAvailable,
} from '../../../src/core/similarity/kernels';
import { centerColumns, columnMeans, transpose } from '../../../src/core/similarity/matrix';
import { between, itRandom, randn } from './random';

function naive(
  a: Float64Array,
  na: number,
  b: Float64Array,
  nb: number,
  len: number,
): Float64Array {
  const c = new Float64Array(na * nb);
  for (let i = 0; i < na; i++)
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += a[i * len + k] * b[j * len + k];
      c[i * nb + j] = s;
    }
  return c;
}

it('the WebAssembly SIMD kernel loads on Node 20', () => {
  expect(wasmKernelAvailable()).toBe(true);
});

for (const kernel of ['auto', 'js'] as const)
  describe(`float64 product kernels, ${kernel} (fresh random shapes, including tile remainders)`, () => {
    beforeAll(() => setKernel(kernel));
    afterAll(() => setKernel('auto'));
    itRandom('rowDots equals the naive triple loop, general and symmetric', (rng) => {
      for (let t = 0; t < 15; t++) {
        const na = between(rng, 1, 23);
        const nb = between(rng, 1, 23);
        // lengths across the 1024 k-block boundary too
        const len = t < 3 ? between(rng, 1000, 2100) : between(rng, 1, 40);
        const a = randn(rng, na, len).data;
        const b = randn(rng, nb, len).data;
        const got = rowDots(a, na, b, nb, len);
        const want = naive(a, na, b, nb, len);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 9);
        const sym = rowDots(a, na, a, na, len, true);
        const symWant = naive(a, na, a, na, len);
        for (let i = 0; i < sym.length; i++) expect(sym[i]).toBeCloseTo(symWant[i], 9);
      }
    });

    itRandom('crossProduct = XᵀY and gram = XXᵀ', (rng) => {
      const n = between(rng, 1, 30);
      const x = randn(rng, n, between(rng, 1, 9));
      const y = randn(rng, n, between(rng, 1, 9));
      const c = crossProduct(x, y);
      expect([c.rows, c.cols]).toEqual([x.cols, y.cols]);
      for (let i = 0; i < x.cols; i++)
        for (let j = 0; j < y.cols; j++) {
          let s = 0;
          for (let r = 0; r < n; r++) s += x.data[r * x.cols + i] * y.data[r * y.cols + j];
          expect(c.data[i * y.cols + j]).toBeCloseTo(s, 11);
        }
      const g = gram(x);
      expect([g.rows, g.cols]).toEqual([n, n]);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < x.cols; k++) s += x.data[i * x.cols + k] * x.data[j * x.cols + k];
          expect(g.data[i * n + j]).toBeCloseTo(s, 11);
        }
    });
  });

describe('the outer-product (AᵀB) wasm kernel, sizes past the JS threshold', () => {
  itRandom('crossProduct = XᵀY across 4-column panel and 256-row k-block remainders', (rng) => {
    for (let t = 0; t < 4; t++) {
      const n = between(rng, 250, 700);
      const x = randn(rng, n, between(rng, 17, 45));
      const y = t === 0 ? x : randn(rng, n, between(rng, 17, 45));
      const c = crossProduct(x, y);
      const want = naive(transpose(x).data, x.cols, transpose(y).data, y.cols, n);
      expect([c.rows, c.cols]).toEqual([x.cols, y.cols]);
      for (let i = 0; i < want.length; i++) expect(c.data[i]).toBeCloseTo(want[i], 9);
    }
  });

  itRandom('centeredCrossProduct equals the product of centered copies', (rng) => {
    const n = between(rng, 300, 600);
    const x = randn(rng, n, between(rng, 20, 40));
    const y = randn(rng, n, between(rng, 20, 40));
    for (let i = 0; i < x.data.length; i++) x.data[i] += 3 + (i % x.cols);
    const mx = columnMeans(x);
    const my = columnMeans(y);
    const got = centeredCrossProduct(x, mx, y, my);
    const want = crossProduct(centerColumns(x), centerColumns(y));
    // The kernel centers while packing with the same subtraction: identical values.
    expect(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer))).toBe(true);
    const self = centeredCrossProduct(x, mx, x, mx);
    const selfWant = crossProduct(centerColumns(x), centerColumns(x));
    expect(Buffer.from(self.data.buffer).equals(Buffer.from(selfWant.data.buffer))).toBe(true);
  });
});

itRandom('operands kept packed between products give the values of fresh packing', (rng) => {
  const n = between(rng, 300, 520);
  const reps = [0, 1, 2].map(() => {
    const m = randn(rng, n, between(rng, 20, 60));
    return { m, mean: columnMeans(m) };
  });
  const g = randn(rng, 200, 30);
  // A sequence that reuses, moves and evicts packed operands (gram overwrites the memory).
  const steps: [number, number][] = [
    [0, 1],
    [0, 0],
    [1, 1],
    [2, 0],
    [1, 2],
    [-1, -1],
    [2, 2],
    [0, 1],
    [1, 0],
  ];
  for (const [a, b] of steps) {
    if (a < 0) {
      gram(g);
      continue;
    }
    const [x, y] = [reps[a], reps[b]];
    const kept = centeredCrossProduct(x.m, x.mean, y.m, y.mean, true);
    const fresh = centeredCrossProduct(x.m, x.mean, y.m, y.mean, false);
    expect(Buffer.from(kept.data.buffer).equals(Buffer.from(fresh.data.buffer))).toBe(true);
    // …and the fresh packing moved nothing the next stable product relies on.
    const again = centeredCrossProduct(x.m, x.mean, y.m, y.mean, true);
    expect(Buffer.from(again.data.buffer).equals(Buffer.from(fresh.data.buffer))).toBe(true);
  }
});
