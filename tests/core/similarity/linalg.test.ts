import { SingularValueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect } from 'vitest';
import { singularValuesOf, symmetricEigen } from '../../../src/core/similarity/linalg';
import { between, itRandom, randn } from './random';

describe('small dense decompositions (fresh random inputs)', () => {
  itRandom('symmetricEigen: A·v = λ·v, orthonormal vectors, values descending', (rng) => {
    for (let t = 0; t < 5; t++) {
      const n = between(rng, 1, 40);
      const r = randn(rng, n, between(rng, 1, 2 * n)); // low rank sometimes: repeated zeros
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < r.cols; k++) s += r.data[i * r.cols + k] * r.data[j * r.cols + k];
          a[i * n + j] = s;
        }
      const { values, vectors } = symmetricEigen({ rows: n, cols: n, data: a });
      const scale = Math.max(1, Math.abs(values[0]));
      for (let k = 0; k < n; k++) {
        if (k > 0) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
        for (let i = 0; i < n; i++) {
          let av = 0;
          for (let j = 0; j < n; j++) av += a[i * n + j] * vectors.data[j * n + k];
          expect(Math.abs(av - values[k] * vectors.data[i * n + k]) / scale).toBeLessThan(1e-12);
        }
        for (let l = 0; l < n; l++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += vectors.data[i * n + k] * vectors.data[i * n + l];
          expect(dot).toBeCloseTo(k === l ? 1 : 0, 12);
        }
      }
    }
  });

  itRandom('singularValuesOf equals a full SVD, rectangular and rank-deficient too', (rng) => {
    for (let t = 0; t < 5; t++) {
      const m = randn(rng, between(rng, 1, 30), between(rng, 1, 30));
      if (t === 0 && m.rows > 1) m.data.copyWithin(m.cols, 0, m.cols); // two equal rows
      const want = new SingularValueDecomposition(
        new MlMatrix(
          Array.from({ length: m.rows }, (_, i) =>
            Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)),
          ),
        ),
        { computeLeftSingularVectors: false, computeRightSingularVectors: false },
      ).diagonal.sort((x, y) => y - x);
      const got = singularValuesOf(m);
      expect(got.length).toBe(Math.min(m.rows, m.cols));
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 11);
    }
  });
});
