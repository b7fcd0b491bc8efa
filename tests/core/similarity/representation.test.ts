import { describe, expect } from 'vitest';
import { linearCka, rbfCka, rbfCkaPairs } from '../../../src/core/similarity/cka';
import { sumSquares, type Matrix } from '../../../src/core/similarity/matrix';
import { MEASURE_NAMES, computeMeasure } from '../../../src/core/similarity/registry';
import { Representation } from '../../../src/core/similarity/representation';
import { between, itRandom, randn } from './random';

describe('Representation caching (fresh random inputs)', () => {
  itRandom('cached comparisons equal fresh ones, for every measure and option value', (rng) => {
    const n = between(rng, 40, 120);
    const mats = [randn(rng, n, between(rng, 2, 12)), randn(rng, n, between(rng, 2, 12))];
    // Make the second related to the first so values are not all near chance.
    for (let i = 0; i < n; i++)
      mats[1].data[i * mats[1].cols] += 3 * mats[0].data[i * mats[0].cols];
    const reps = mats.map((m) => new Representation(m));
    for (const options of [{}, { k: 3, threshold: 0.3 }, { k: 7, threshold: 0.9 }])
      for (const name of MEASURE_NAMES) {
        const fresh = computeMeasure(name, mats[0], mats[1], options).value;
        // Twice through the same cached objects, in both orders of first use.
        expect(computeMeasure(name, reps[0], reps[1], options).value, name).toBeCloseTo(fresh, 10);
        expect(computeMeasure(name, reps[0], reps[1], options).value, name).toBeCloseTo(fresh, 10);
      }
    reps[0].release();
    expect(computeMeasure('linear-cka', reps[0], reps[1]).value).toBeCloseTo(
      computeMeasure('linear-cka', mats[0], mats[1]).value,
      12,
    );
  });

  itRandom('rejects non-finite values and mismatched examples up front', (rng) => {
    const x = randn(rng, 10, 3);
    x.data[between(rng, 0, 29)] = Number.POSITIVE_INFINITY;
    expect(() => new Representation(x)).toThrow(/non-finite/);
    expect(() => computeMeasure('procrustes', randn(rng, 10, 3), randn(rng, 11, 3))).toThrow(
      /rows are examples/,
    );
  });
});

/** RBF CKA straight from the definition: full N×N matrices, median by sorting, K centered by H. */
function referenceRbfCka(x: Matrix, y: Matrix, threshold: number): number {
  const n = x.rows;
  const centeredKernel = (m: Matrix): Float64Array => {
    const d = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < m.cols; c++)
          s += (m.data[i * m.cols + c] - m.data[j * m.cols + c]) ** 2;
        d[i * n + j] = s;
      }
    const sorted = Float64Array.from(d).sort();
    const median = (sorted[(n * n) / 2 - 1] + sorted[(n * n) / 2]) / 2; // n even below
    const k = d.map((v) => Math.exp(-v / (2 * threshold * threshold * median)));
    const row = new Float64Array(n);
    let grand = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) row[i] += k[i * n + j] / n;
    for (let i = 0; i < n; i++) grand += row[i] / n;
    return k.map((v, p) => v - row[Math.floor(p / n)] - row[p % n] + grand);
  };
  const a = centeredKernel(x);
  const b = centeredKernel(y);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let p = 0; p < a.length; p++) {
    ab += a[p] * b[p];
    aa += a[p] * a[p];
    bb += b[p] * b[p];
  }
  return ab / Math.sqrt(aa * bb);
}

describe('the Gram-derived products at sizes that use the SIMD kernel (fresh random inputs)', () => {
  itRandom('RBF CKA and neighbour lists match definitions; prepare and all-pairs agree', (rng) => {
    const n = 2 * between(rng, 100, 160);
    const d = between(rng, 3, 12);
    const base = randn(rng, n, d);
    const mats = [0, 1, 2].map((t) => {
      const m = randn(rng, n, d);
      for (let i = 0; i < m.data.length; i++) m.data[i] = base.data[i] + 0.5 * t * m.data[i];
      return m;
    });
    // Exact duplicate rows (as repeated tokens give in an embedding layer): ties in k-NN.
    for (let c = 0; c < d; c++) mats[0].data[5 * d + c] = mats[0].data[2 * d + c];
    const threshold = 0.3 + rng.next();
    const reps = mats.map((m) => new Representation(m));
    reps[0].prepare({ threshold, k: 7 });
    const pairs = rbfCkaPairs(reps, threshold);
    for (let a = 0; a < 3; a++)
      for (let b = a + 1; b < 3; b++) {
        const want = referenceRbfCka(mats[a], mats[b], threshold);
        expect(rbfCka(reps[a], reps[b], threshold)).toBeCloseTo(want, 10);
        expect(pairs[a][b]).toBeCloseTo(want, 10);
        expect(pairs[b][a]).toBeCloseTo(want, 10);
      }
    // Neighbour lists against brute force (cosine, ties to the lower index).
    const x = mats[0];
    const nn = reps[0].neighbours(7);
    const norm = (i: number) => Math.hypot(...x.data.subarray(i * d, (i + 1) * d));
    for (const i of [0, 2, 5, between(rng, 0, n - 1), n - 1]) {
      const cos = (j: number) => {
        let s = 0;
        for (let c = 0; c < d; c++) s += x.data[i * d + c] * x.data[j * d + c];
        return s / (norm(i) * norm(j));
      };
      const order = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((p, q) => cos(q) - cos(p) || p - q);
      const got = Array.from(nn.subarray(i * 7, (i + 1) * 7));
      // Equal up to exact ties in rounding: compare similarities, and indices where clear.
      got.forEach((j, r) => expect(cos(j)).toBeCloseTo(cos(order[r]), 12));
      if (i === 2 || i === 5) expect(got[0]).toBe(i === 2 ? 5 : 2); // the duplicate is first
    }
    for (const r of reps) r.release();
    // Released and rebuilt: the same values again (pooled buffers reused).
    expect(rbfCka(reps[0], reps[1], threshold)).toBeCloseTo(pairs[0][1] as number, 12);
  });
});

describe('Representation products without materialising them (D1·D2 ≥ 65,536)', () => {
  itRandom(
    'crossSumSquares and selfProduct equal sumSquares of the products, bit for bit',
    (rng) => {
      const n = between(rng, 270, 330);
      const x = randn(rng, n, between(rng, 256, 270));
      const y = randn(rng, n, between(rng, 256, 270));
      for (let i = 0; i < x.data.length; i++) x.data[i] += 2; // a mean to remove
      const a = new Representation(x);
      const b = new Representation(y);
      // First through the no-allocation route, then from the materialised products.
      const lazy = [a.crossSumSquares(b), a.selfProduct(), b.crossSumSquares(a)];
      const full = [
        sumSquares(new Representation(x).crossCentered(new Representation(y)).data),
        sumSquares(new Representation(x).covariance().data),
      ];
      expect(lazy[0]).toBe(full[0]);
      expect(lazy[1]).toBe(full[1]);
      expect(lazy[2]).toBe(lazy[0]); // memoised for the pair, both orders
      expect(linearCka(a, b)).toBe(linearCka(x, y));
    },
  );
});
