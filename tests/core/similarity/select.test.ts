import { describe, expect } from 'vitest';
import {
  kthSmallestNonNegative,
  medianOfPackedSymmetric,
  medianOfSymmetricZeroDiagonal,
  radixHistogram,
} from '../../../src/core/similarity/select';
import { between, itRandom } from './random';

describe('order statistics (fresh random inputs)', () => {
  itRandom('radix select equals sorting, with ties, zeros and straddled buckets', (rng) => {
    for (let t = 0; t < 6; t++) {
      // Large enough for the radix path; some draws with few distinct values (many ties).
      const n = between(rng, 4096, 30000);
      const distinct = t % 2 === 0 ? 7 : 0;
      const a = Float64Array.from({ length: n }, () =>
        distinct ? rng.int(distinct) * 0.25 : rng.next() < 0.05 ? 0 : Math.exp(3 * rng.normal()),
      );
      const sorted = Float64Array.from(a).sort();
      const k = rng.int(n - 1);
      const ks = [k, k + 1, Math.min(n - 1, k + between(rng, 2, 5000))];
      const copy = Float64Array.from(a);
      expect(kthSmallestNonNegative(a, n, ks)).toEqual(ks.map((i) => sorted[i]));
      // Two adjacent ranks (the median's case): usually one bucket, narrowed twice.
      expect(kthSmallestNonNegative(a, n, [k, k + 1])).toEqual([sorted[k], sorted[k + 1]]);
      expect(kthSmallestNonNegative(a, n, ks, radixHistogram(a, n))).toEqual(
        ks.map((i) => sorted[i]),
      );
      expect(a).toEqual(copy); // untouched
    }
  });

  itRandom('packed-triangle median = median of the full symmetric matrix', (rng) => {
    for (const n of [between(rng, 2, 40), between(rng, 90, 200)]) {
      const full: number[] = [];
      const packed = new Float64Array((n * (n + 1)) / 2);
      const upper: number[] = [];
      const m = new Float64Array(n * n);
      for (let i = 0, p = 0; i < n; i++)
        for (let j = i; j < n; j++, p++) {
          const v = i === j ? 0 : rng.next() < 0.1 ? 0 : rng.next() * 10;
          packed[p] = v;
          m[i * n + j] = m[j * n + i] = v;
          if (i !== j) upper.push(v);
        }
      for (const v of m) full.push(v);
      full.sort((x, y) => x - y);
      const want =
        full.length % 2
          ? full[(full.length - 1) / 2]
          : (full[(n * n) / 2 - 1] + full[(n * n) / 2]) / 2;
      expect(medianOfPackedSymmetric(packed, n)).toBe(want);
      expect(medianOfSymmetricZeroDiagonal(Float64Array.from(upper), n)).toBe(want);
    }
  });
});
