/**
 * The statistics module on constructed inputs with known answers (reference values from
 * NumPy/SciPy: np.quantile, scipy.stats.spearmanr, scipy.stats.t, scipy.stats.permutation_test
 * with every relabelling).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  arrangements,
  bootstrapModels,
  extractPairs,
  forEachArrangement,
  jackknifePairs,
  matrixPermutationTest,
  meanEstimate,
  pairMean,
  pairValues,
  pairwiseDifference,
  pairwiseMean,
  permutationTest,
  quantileSorted,
  spearman,
  withinGroupDifference,
  withinMinusBetween,
  type SquareMatrix,
} from '../../../src/experiments/stats';

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

/** Symmetric matrix with 1 on the diagonal from upper-triangle values keyed 'i,j'. */
function sym(n: number, upper: Record<string, number | null>): (number | null)[][] {
  const m = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : (null as number | null))),
  );
  for (const [k, v] of Object.entries(upper)) {
    const [i, j] = k.split(',').map(Number);
    m[i][j] = m[j][i] = v;
  }
  return m;
}

describe('the pair extractor', () => {
  it('pairs distinct models within groups only and skips undefined cells', () => {
    const m = sym(5, { '0,1': 0.2, '0,2': 0.4, '1,2': 0.6, '3,4': 0.9, '0,3': -5, '2,4': null });
    const groups = [
      [0, 1, 2],
      [3, 4],
    ];
    expect(pairValues(m, groups).sort()).toEqual([0.2, 0.4, 0.6, 0.9]);
    expect(pairMean(m, groups)).toBeCloseTo(0.525, 12);
    // A resample that draws model 0 twice pairs it with 1 twice and never with itself.
    expect(pairValues(m, [[0, 0, 1]])).toEqual([0.2, 0.2]);
    expect(extractPairs(m, [[2, 2]])).toEqual([]);
    expect(pairMean(m, [[0], [1]])).toBeNaN();
  });
});

describe('jackknife over models (U-statistic variance)', () => {
  it('matches the closed form for m[i][j] = v_i + v_j', () => {
    // θ = 2·mean(v); leaving model i out: θ₋ᵢ = 2·mean(v without i). Jackknife variance of a
    // mean of θ₋ᵢ-type: ((K−1)/K)·Σ(θ₋ᵢ − θ̄)² = 4·s²/K·(K−1)²/(K−2)²·… computed directly here.
    const v = [0, 0.1, 0.2, 1];
    const m: SquareMatrix = v.map((a, i) => v.map((b, j) => (i === j ? 1 : a + b)));
    const j = jackknifePairs(extractPairs(m));
    expect(j.value).toBeCloseTo(0.65, 12);
    const loo = v.map((_, i) => {
      const rest = v.filter((_, k) => k !== i);
      return (2 * rest.reduce((s, x) => s + x, 0)) / rest.length;
    });
    expect(j.leaveOneOut).toEqual(loo.map((x) => expect.closeTo(x, 12)));
    const lbar = loo.reduce((s, x) => s + x, 0) / 4;
    expect(j.variance).toBeCloseTo((3 / 4) * loo.reduce((s, x) => s + (x - lbar) ** 2, 0), 12);
    // Pseudo-values average to the statistic (a U-statistic is jackknife-unbiased).
    expect(j.pseudoValues.reduce((s, x) => s + x, 0) / 4).toBeCloseTo(0.65, 12);
    const e = pairwiseMean(m);
    expect(e).toMatchObject({ value: expect.closeTo(0.65, 12), pairs: 6, models: 4 });
    expect(e.interval.method).toBe('jackknife-t');
    // t with 3 degrees of freedom: 3.182446305.
    const half = 3.182446305 * Math.sqrt(j.variance);
    expect(e.interval.lower).toBeCloseTo(0.65 - half, 8);
    expect(e.interval.upper).toBeCloseTo(0.65 + half, 8);
  });

  it('gives no interval, with the reason, for two models, and a point for a constant matrix', () => {
    const two = pairwiseMean(sym(2, { '0,1': 0.42 }));
    expect(two.value).toBe(0.42);
    expect(two.interval.lower).toBeNull();
    expect(two.interval.reason).toMatch(/2 models give one pair/);
    const flat = pairwiseMean(sym(3, { '0,1': 0.4, '0,2': 0.4, '1,2': 0.4 }));
    expect([flat.interval.lower, flat.interval.upper]).toEqual(
      [0.4, 0.4].map((x) => expect.closeTo(x, 12)),
    );
    expect(pairwiseMean(sym(3, {})).interval.reason).toMatch(/no pair/);
  });

  it("cuts the interval to the measure's range, never moving the estimate", () => {
    // 3 seeds, agreement 0.58 on average with a wide spread: the t interval runs past [0, 1].
    const m = sym(3, { '0,1': 0.99, '0,2': 0.2, '1,2': 0.55 });
    const free = pairwiseMean(m);
    expect(free.interval.lower!).toBeLessThan(0);
    expect(free.interval.upper!).toBeGreaterThan(1);
    const cut = pairwiseMean(m, undefined, { range: [0, 1] });
    expect(cut.value).toBe(free.value);
    expect([cut.interval.lower, cut.interval.upper]).toEqual([0, 1]);
    const inside = sym(4, {
      '0,1': 0.5,
      '0,2': 0.52,
      '0,3': 0.49,
      '1,2': 0.51,
      '1,3': 0.5,
      '2,3': 0.5,
    });
    expect(pairwiseMean(inside, undefined, { range: [0, 1] }).interval).toEqual(
      pairwiseMean(inside).interval,
    );
  });

  it('differences: Welch interval and a permutation test of the models, exact when small', () => {
    const a = sym(3, { '0,1': 0.9, '0,2': 0.8, '1,2': 0.85 });
    const b = sym(3, { '0,1': 0.2, '0,2': 0.3, '1,2': 0.25 });
    const d = pairwiseDifference({ matrix: a }, { matrix: b });
    expect(d.value).toBeCloseTo(0.6, 12);
    expect(d.interval.method).toBe('jackknife-welch-t');
    expect(d.interval.lower!).toBeGreaterThan(0);
    // 3 vs 3 models: C(6,3) = 20 relabellings, the observed split and its mirror are extreme.
    expect(d.test).toMatchObject({ method: 'exact', permutations: 20 });
    expect(d.test!.pValue).toBeCloseTo(0.1, 12);
    const none = pairwiseDifference({ matrix: sym(2, { '0,1': 1 }) }, { matrix: b });
    expect(none.test).toBeNull();
    expect(none.interval.reason).toMatch(/too few models/);
  });

  it('per-model values: a t interval', () => {
    const e = meanEstimate([1, 2, 3, 4]);
    expect(e.value).toBe(2.5);
    const half = 3.182446305 * Math.sqrt(5 / 3 / 4);
    expect(e.interval.lower).toBeCloseTo(2.5 - half, 8);
    expect(meanEstimate([1]).interval.reason).toMatch(/one model/);
  });
});

describe('grouped model bootstrap', () => {
  it('refuses too few models, and is reproducible by seed', () => {
    const m = sym(4, { '0,1': 0.1, '0,2': 0.4, '0,3': 0.3, '1,2': 0.8, '1,3': 0.6, '2,3': 0.2 });
    const stat = ([g]: number[][][]) => pairMean(m, g);
    const small = bootstrapModels([[[0, 1, 2, 3]]], stat);
    expect(small.lower).toBeNull();
    expect(small.reason).toMatch(/4 models/);
    const rng = new Rng(3);
    const v = Array.from({ length: 12 }, () => rng.normal());
    const big = v.map((a, i) => v.map((b, j) => (i === j ? 1 : a + b)));
    const s = ([g]: number[][][]) => pairMean(big, g);
    const x = bootstrapModels([[v.map((_, i) => i)]], s, { seed: 4, resamples: 500 });
    expect(x.method).toBe('bootstrap-percentile');
    expect(bootstrapModels([[v.map((_, i) => i)]], s, { seed: 4, resamples: 500 })).toEqual(x);
    expect(x.lower!).toBeLessThan(pairMean(big));
    expect(x.upper!).toBeGreaterThan(pairMean(big));
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
