import { describe, expect } from 'vitest';
import {
  packedInner,
  packedInnerMatrix,
  packedLength,
  packedOffset,
} from '../../../src/core/similarity/packed';
import { between, itRandom } from './random';

describe('packed symmetric triangles (fresh random inputs)', () => {
  itRandom('inner products equal those of the full matrices, pairwise and all at once', (rng) => {
    // Sizes around the all-pairs block length (16,384 values) too.
    const n = between(rng, 1, 3) === 1 ? between(rng, 1, 30) : between(rng, 170, 240);
    const m = between(rng, 1, 6);
    const full: Float64Array[] = [];
    const packed: Float64Array[] = [];
    for (let t = 0; t < m; t++) {
      const f = new Float64Array(n * n);
      const p = new Float64Array(packedLength(n));
      for (let i = 0; i < n; i++)
        for (let j = i; j < n; j++) {
          const v = rng.normal();
          f[i * n + j] = f[j * n + i] = v;
          p[packedOffset(n, i) + j - i] = v;
        }
      full.push(f);
      packed.push(p);
    }
    const inner = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
    const all = packedInnerMatrix(packed, n);
    for (let a = 0; a < m; a++)
      for (let b = 0; b < m; b++) {
        const want = inner(full[a], full[b]);
        expect(packedInner(packed[a], packed[b], n)).toBeCloseTo(want, 8);
        expect(all[a][b]).toBeCloseTo(want, 8);
      }
  });
});
