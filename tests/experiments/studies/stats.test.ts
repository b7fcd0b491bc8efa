/**
 * Statistics on constructed inputs with known answers (reference values from NumPy/SciPy:
 * np.quantile, scipy.stats.spearmanr, scipy.stats.permutation_test with every relabelling).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  arrangements,
  bootstrapCI,
  bootstrapPairwiseCI,
  forEachArrangement,
  matrixPermutationTest,
  meanOffDiagonal,
  permutationTest,
  quantileSorted,
  spearman,
  withinGroupDifference,
  withinMinusBetween,
} from '../../../src/experiments/studies/stats';

describe('quantiles and correlation', () => {
  it('matches NumPy linear quantiles', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    const s = [3, 1, 4, 1, 5, 9, 2, 6].sort((a, b) => a - b);
    expect(quantileSorted(s, 0.025)).toBeCloseTo(1, 12);
    expect(quantileSorted(s, 0.975)).toBeCloseTo(8.475, 12);
  });

  it('matches SciPy spearmanr, ties included', () => {
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505139, 12);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
  });
});

describe('bootstrap', () => {
  it('gives a degenerate interval for constant data and is reproducible by seed', () => {
    const c = bootstrapCI([0.7, 0.7, 0.7, 0.7]);
    expect([c.lower, c.estimate, c.upper]).toEqual(
      [0.7, 0.7, 0.7].map((v) => expect.closeTo(v, 12)),
    );
    const xs = [0.1, 0.5, 0.3, 0.9, 0.2];
    expect(bootstrapCI(xs, { seed: 3 })).toEqual(bootstrapCI(xs, { seed: 3 }));
    expect(bootstrapCI(xs, { seed: 3 })).not.toEqual(bootstrapCI(xs, { seed: 4 }));
  });

  it('covers the normal-theory interval of a large sample', () => {
    const rng = new Rng(11);
    const xs = Array.from({ length: 400 }, () => 2 + rng.normal());
    const ci = bootstrapCI(xs, { resamples: 4000 });
    const se = 1 / Math.sqrt(400);
    // Width ≈ 2·1.96·σ/√n and centred on the mean (percentile bootstrap, n = 400).
    expect(ci.upper - ci.lower).toBeGreaterThan(0.85 * 2 * 1.96 * se);
    expect(ci.upper - ci.lower).toBeLessThan(1.15 * 2 * 1.96 * se);
    expect(ci.lower).toBeLessThan(ci.estimate);
    expect(ci.upper).toBeGreaterThan(ci.estimate);
  });

  it('resamples models, not pairs, for a pairwise matrix', () => {
    const flat = [
      [1, 0.4, 0.4],
      [0.4, 1, 0.4],
      [0.4, 0.4, 1],
    ];
    const c = bootstrapPairwiseCI(flat);
    expect(c.lower).toBeCloseTo(0.4, 12);
    expect(c.upper).toBeCloseTo(0.4, 12);
    // m[i][j] = v_i + v_j: the mean over pairs of distinct models; model 3 is an outlier.
    const v = [0, 0.1, 0.2, 1];
    const m = v.map((a, i) => v.map((b, j) => (i === j ? 1 : a + b)));
    expect(meanOffDiagonal(m)).toBeCloseTo((3 * 1.3) / 6, 12);
    const ci = bootstrapPairwiseCI(m, { resamples: 3000 });
    expect(ci.estimate).toBeCloseTo(0.65, 12);
    expect(ci.lower).toBeGreaterThanOrEqual(0.1 - 1e-12); // smallest possible pair mean
    expect(ci.upper).toBeLessThanOrEqual(1.2 + 1e-12); // largest possible pair mean
    expect(ci.lower).toBeLessThan(0.65);
    expect(ci.upper).toBeGreaterThan(0.65);
    // Undefined cells (null) are skipped.
    expect(
      meanOffDiagonal([
        [1, null],
        [null, 1],
      ]),
    ).toBeNaN();
  });
});

describe('permutation tests', () => {
  it('enumerates every distinct arrangement of a multiset', () => {
    const seen = new Set<string>();
    forEachArrangement([0, 1, 0, 2, 1], (a) => seen.add(a.join('')));
    expect(seen.size).toBe(30);
    expect(arrangements([0, 1, 0, 2, 1])).toBe(30);
  });

  it('is exact for small groups and equals SciPy', () => {
    const r = permutationTest([1, 2, 3], [4, 5, 6]);
    expect(r.method).toBe('exact');
    expect(r.permutations).toBe(20);
    expect(r.observed).toBe(-3);
    expect(r.pValue).toBeCloseTo(2 / 20, 12);
    const s = permutationTest([1.0, 2.5, 3.1, 0.2], [2.2, 4.0, 5.5, 3.3, 6.1]);
    expect(s.permutations).toBe(126);
    expect(s.observed).toBeCloseTo(-2.52, 12);
    expect(s.pValue).toBeCloseTo(0.06349206349206349, 12);
  });

  it('falls back to a seeded Monte Carlo test for large groups', () => {
    const rng = new Rng(5);
    const a = Array.from({ length: 30 }, () => rng.normal());
    const b = Array.from({ length: 30 }, () => rng.normal());
    const same = permutationTest(a, b, { resamples: 2000, seed: 1 });
    expect(same.method).toBe('monte-carlo');
    expect(same.pValue).toBeGreaterThan(0.05);
    expect(permutationTest(a, b, { resamples: 2000, seed: 1 })).toEqual(same);
    const shifted = permutationTest(
      a,
      b.map((x) => x + 3),
      { resamples: 2000, seed: 1 },
    );
    expect(shifted.pValue).toBeCloseTo(1 / 2001, 12);
  });

  it('permutes model labels of a matrix (Mantel-style)', () => {
    const labels = ['x', 'x', 'x', 'y', 'y', 'y'];
    const block = labels.map((a, i) => labels.map((b, j) => (i === j ? 1 : a === b ? 0.9 : 0.2)));
    const r = matrixPermutationTest(block, labels, withinMinusBetween);
    expect(r.method).toBe('exact');
    expect(r.permutations).toBe(20);
    expect(r.observed).toBeCloseTo(0.7, 12);
    // Only the observed split and its mirror (labels swapped) separate the blocks.
    expect(r.pValue).toBeCloseTo(2 / 20, 12);
    // Group x tighter than group y.
    const tight = labels.map((a, i) =>
      labels.map((b, j) => (i === j ? 1 : a !== b ? 0.3 : a === 'x' ? 0.9 : 0.5)),
    );
    const d = matrixPermutationTest(tight, labels, withinGroupDifference('x', 'y'));
    expect(d.observed).toBeCloseTo(0.4, 12);
    expect(d.pValue).toBeCloseTo(2 / 20, 12);
  });
});
