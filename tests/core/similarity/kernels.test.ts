import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crossProduct,
  gram,
  rowDots,
  setKernel,
  wasmKernelAvailable,
} from '../../../src/core/similarity/kernels';
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
