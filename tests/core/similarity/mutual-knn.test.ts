import { describe, expect, it } from 'vitest';
import { fromRows } from '../../../src/core/similarity/matrix';
import { mutualKnn, nearestNeighbours } from '../../../src/core/similarity/mutual-knn';
import { between, itRandom, randn, randomOrthogonal } from './random';

describe('mutual k-NN alignment (fresh random inputs)', () => {
  itRandom('is 1 for identical inputs and for rotated / rescaled copies', (rng) => {
    const d = between(rng, 2, 16);
    const x = randn(rng, between(rng, 30, 120), d);
    expect(mutualKnn(x, x, 10)).toBe(1);
    // Rotation and scaling only: mutual k-NN is (like the reference) not translation invariant.
    const q = randomOrthogonal(rng, d);
    const y = new Float64Array(x.data.length);
    for (let i = 0; i < x.rows; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += x.data[i * d + k] * q.data[k * d + j];
        y[i * d + j] = s * 2.5;
      }
    expect(mutualKnn(x, { rows: x.rows, cols: d, data: y }, 5)).toBe(1);
  });

  itRandom('is near k/(N−1) for independent inputs', (rng) => {
    const n = 400;
    const k = 10;
    const v = mutualKnn(randn(rng, n, 16), randn(rng, n, 16), k);
    // Per-example overlap is ~hypergeometric with mean k²/(N−1); the mean over 400 examples
    // has a standard deviation of about 0.0025.
    expect(Math.abs(v - k / (n - 1))).toBeLessThan(0.0125);
  });

  itRandom('neighbour lists match brute force (self excluded)', (rng) => {
    const n = between(rng, 12, 40);
    const k = between(rng, 1, 8);
    const x = randn(rng, n, between(rng, 2, 6));
    const nn = nearestNeighbours(x, k);
    for (let i = 0; i < n; i++) {
      const cos = (j: number): number => {
        let dot = 0;
        let a = 0;
        let b = 0;
        for (let c = 0; c < x.cols; c++) {
          dot += x.data[i * x.cols + c] * x.data[j * x.cols + c];
          a += x.data[i * x.cols + c] ** 2;
          b += x.data[j * x.cols + c] ** 2;
        }
        return dot / Math.sqrt(a * b);
      };
      const order = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((p, q) => cos(q) - cos(p) || p - q);
      expect(Array.from(nn.subarray(i * k, (i + 1) * k))).toEqual(order.slice(0, k));
    }
  });

  it('validates k', () => {
    const x = fromRows([[1], [2], [3]]);
    expect(() => mutualKnn(x, x, 3)).toThrow(/k must be/);
    expect(() => mutualKnn(x, x, 0)).toThrow(/k must be/);
  });
});
