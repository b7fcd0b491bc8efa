/**
 * The comparison statistics on constructed inputs with known answers: within-group pair means,
 * the model bootstrap (checked against its exactly enumerated distribution), the bootstrap of a
 * difference, and the permutation test's exact p-values.
 */
import { describe, expect, it } from 'vitest';
import {
  bootstrapModels,
  groupPairValues,
  pairMean,
  pairMeanEstimate,
  pairPermutationTest,
  pairValuesOf,
  percentileInterval,
  type PairMatrix,
} from '../../../src/experiments/compare/stats';
import { differenceCell } from '../../../src/experiments/compare/summary';

/** Symmetric matrix from upper-triangle values keyed 'i,j'. */
function sym(n: number, upper: Record<string, number | null>, diag = 1): (number | null)[][] {
  const m = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? diag : (null as number | null))),
  );
  for (const [k, v] of Object.entries(upper)) {
    const [i, j] = k.split(',').map(Number);
    m[i][j] = m[j][i] = v;
  }
  return m;
}

describe('pair means', () => {
  it('averages only pairs inside a seed group, never a model with itself', () => {
    // Models 0,1,2 form one group, 3,4 another; cross-group cells must be ignored.
    const m = sym(5, {
      '0,1': 0.2,
      '0,2': 0.4,
      '1,2': 0.6,
      '3,4': 0.9,
      '0,3': -5,
      '0,4': -5,
      '1,3': -5,
      '1,4': -5,
      '2,3': -5,
      '2,4': -5,
    });
    const groups = [
      [0, 1, 2],
      [3, 4],
    ];
    expect(groupPairValues(m, groups).sort()).toEqual([0.2, 0.4, 0.6, 0.9]);
    expect(pairMean(m, groups)).toBeCloseTo((0.2 + 0.4 + 0.6 + 0.9) / 4, 12);
    // Repeated draws: (0, 0, 1) pairs 0–1 twice and skips 0–0.
    expect(pairValuesOf(m, [0, 0, 1])).toEqual([0.2, 0.2]);
    expect(pairValuesOf(m, [2, 2, 2])).toEqual([]);
  });

  it('skips undefined (null) cells', () => {
    const m = sym(3, { '0,1': 0.5, '0,2': null, '1,2': 0.7 });
    expect(pairMean(m, [[0, 1, 2]])).toBeCloseTo(0.6, 12);
    expect(pairMean(m, [[0], [1]])).toBeNull();
  });
});

describe('model bootstrap', () => {
  it('gives a point interval for a constant matrix', () => {
    const m = sym(4, { '0,1': 0.3, '0,2': 0.3, '0,3': 0.3, '1,2': 0.3, '1,3': 0.3, '2,3': 0.3 });
    const e = pairMeanEstimate(m, [[0, 1, 2, 3]], { resamples: 500 });
    expect(e.value).toBeCloseTo(0.3, 12);
    expect(e.interval![0]).toBeCloseTo(0.3, 12);
    expect(e.interval![1]).toBeCloseTo(0.3, 12);
    expect(e.pairs).toBe(6);
  });

  it('collapses to the single pair value with two seeds', () => {
    const m = sym(2, { '0,1': 0.42 });
    const e = pairMeanEstimate(m, [[0, 1]], { resamples: 400, seed: 3 });
    expect(e.interval).toEqual([0.42, 0.42]);
  });

  it('matches the exactly enumerated bootstrap distribution for three seeds', () => {
    // Resampling 3 models: 3/27 draws are one model (no pair: skipped); each two-model set
    // {a,b} has 6/27 draws with value v_ab; all three distinct (6/27) give the mean 0.5.
    // Conditional on a pair existing: 0.2 w.p. 1/4, 0.5 w.p. 1/2, 0.8 w.p. 1/4.
    const m = sym(3, { '0,1': 0.2, '0,2': 0.5, '1,2': 0.8 });
    const reps: number[] = [];
    const stat = ([g]: number[][][]) => {
      const v = pairMean(m, g);
      if (v !== null) reps.push(v);
      return v;
    };
    const ci = bootstrapModels([[[0, 1, 2]]], stat, { resamples: 20_000, seed: 7 });
    expect(ci).toEqual([0.2, 0.8]);
    const share = (x: number) => reps.filter((v) => Math.abs(v - x) < 1e-12).length / reps.length;
    expect(share(0.2)).toBeCloseTo(0.25, 1);
    expect(share(0.5)).toBeCloseTo(0.5, 1);
    expect(share(0.8)).toBeCloseTo(0.25, 1);
    // About 24/27 of the replicates are defined.
    expect(reps.length / 20_000).toBeCloseTo(24 / 27, 2);
    // A narrower level cuts into the tails: the 25%–75% interval is the middle value.
    const mid = bootstrapModels([[[0, 1, 2]]], ([g]) => pairMean(m, g), {
      resamples: 20_000,
      seed: 7,
      level: 0.3,
    });
    expect(mid).toEqual([0.5, 0.5]);
  });

  it('resamples within groups only (a group of one model never forms a pair)', () => {
    const m = sym(4, { '0,1': 0.1, '2,3': 0.9, '0,2': 100, '1,3': 100, '0,3': 100, '1,2': 100 });
    const ci = bootstrapModels(
      [
        [
          [0, 1],
          [2, 3],
        ],
      ],
      ([g]) => pairMean(m, g),
      { resamples: 2000 },
    );
    expect(ci![0]).toBeGreaterThanOrEqual(0.1 - 1e-12);
    expect(ci![1]).toBeLessThanOrEqual(0.9 + 1e-12);
  });

  it('is reproducible for a seed', () => {
    const m = sym(4, { '0,1': 0.1, '0,2': 0.4, '0,3': 0.3, '1,2': 0.8, '1,3': 0.6, '2,3': 0.2 });
    const a = pairMeanEstimate(m, [[0, 1, 2, 3]], { seed: 11, resamples: 300 });
    const b = pairMeanEstimate(m, [[0, 1, 2, 3]], { seed: 11, resamples: 300 });
    expect(a).toEqual(b);
  });

  it('percentile interval uses linear interpolation (type 7)', () => {
    expect(percentileInterval([0, 1, 2, 3, 4], 0.5)).toEqual([1, 3]);
    expect(percentileInterval([], 0.9)).toBeNull();
  });
});

describe('differences between experiments', () => {
  const constant = (n: number, v: number): PairMatrix =>
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : v)));

  it('a difference of constant matrices has a point interval at the difference', () => {
    const d = differenceCell(
      { matrix: constant(3, 0.9), groups: [[0, 1, 2]] },
      { matrix: constant(3, 0.4), groups: [[0, 1, 2]] },
      { resamples: 500 },
    );
    expect(d.value).toBeCloseTo(0.5, 12);
    expect(d.interval![0]).toBeCloseTo(0.5, 12);
    expect(d.interval![1]).toBeCloseTo(0.5, 12);
    // 3 vs 3 pair values, all higher on one side: exact p = 2 / C(6,3) = 0.1.
    expect(d.method).toBe('exact');
    expect(d.pValue).toBeCloseTo(0.1, 12);
  });

  it('permutation test: separated samples, identical samples, Monte Carlo bound', () => {
    const sep = pairPermutationTest([1, 2, 3], [4, 5, 6]);
    expect(sep).toMatchObject({ difference: -3, method: 'exact', count: 20 });
    expect(sep.pValue).toBeCloseTo(0.1, 12);
    const same = pairPermutationTest([2, 2, 2], [2, 2]);
    expect(same.pValue).toBe(1);
    // 10 vs 10 → C(20,10) = 184,756 relabellings > 1,000: Monte Carlo, p ≥ 1/(B+1).
    const a = Array.from({ length: 10 }, (_, i) => i);
    const b = Array.from({ length: 10 }, (_, i) => 100 + i);
    const mc = pairPermutationTest(a, b, { permutations: 1000, seed: 1 });
    expect(mc.method).toBe('monte-carlo');
    expect(mc.pValue).toBeCloseTo(1 / 1001, 12);
    expect(pairPermutationTest([], [1]).pValue).toBeNull();
  });
});
