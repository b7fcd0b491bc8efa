/**
 * The statistics of experiment comparison: cross-seed pair means, a model-resampling bootstrap
 * and a permutation test.
 *
 * Why resample models, not pairs: the k(k−1)/2 pair values of k seeds are not independent (each
 * model appears in k−1 of them), so the unit of resampling is the model (the seed). A bootstrap
 * replicate draws k models with replacement inside each seed group and averages the pair values
 * over every pair of draws that are distinct models; a draw of the same model twice is not a
 * pair (its "similarity" would be the identity value). Replicates where no pair remains are
 * skipped. With 2 seeds per group every valid replicate is the single pair, so the interval
 * collapses to a point: the interval can only be as honest as the number of seeds.
 *
 * The permutation test (the studies module's, src/experiments/studies/stats.ts) compares the
 * mean pair value of two experiments by relabelling the pooled pair values, exactly when there
 * are few relabellings, else Monte Carlo. It treats pair values as exchangeable, which their
 * shared models make only approximately true; the report says so. The bootstrap is local
 * because the comparison needs it stratified by seed group and over two experiments at once
 * (the studies' `bootstrapPairwiseCI` resamples one matrix without groups).
 */
import { Rng } from '../../core/rng';
import { permutationTest, quantileSorted } from '../studies/stats';
import type { Interval } from './types';

/** Model × model values (null = undefined); groups list model indices that may be paired. */
export type PairMatrix = readonly (readonly (number | null)[])[];
export type Groups = readonly (readonly number[])[];

export interface BootstrapOptions {
  /** Replicates (default 2,000). */
  resamples?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
  /** Seed of the resampling stream (default 0). */
  seed?: number;
}

export function mean(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Quantile of sorted values, linear interpolation between order statistics (R type 7). */
export const quantile = (sorted: readonly number[], p: number): number => quantileSorted(sorted, p);

/** Percentile interval of replicate values; null when there are none. */
export function percentileInterval(values: readonly number[], level = 0.95): Interval | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const a = (1 - level) / 2;
  return [quantile(v, a), quantile(v, 1 - a)];
}

/**
 * Values of every within-group pair of distinct models among `members` (model indices, repeats
 * allowed: a repeated model pairs with the others once per copy, never with itself).
 */
export function pairValuesOf(matrix: PairMatrix, members: readonly number[]): number[] {
  const out: number[] = [];
  for (let a = 0; a < members.length; a++)
    for (let b = a + 1; b < members.length; b++) {
      const i = members[a];
      const j = members[b];
      if (i === j) continue;
      const v = matrix[i]?.[j];
      if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
    }
  return out;
}

/** Every within-group pair value (original models, no resampling). */
export function groupPairValues(matrix: PairMatrix, groups: Groups): number[] {
  return groups.flatMap((g) => pairValuesOf(matrix, g));
}

/** Mean over all within-group pairs of the (possibly resampled) groups; null if none. */
export function pairMean(matrix: PairMatrix, groups: Groups): number | null {
  return mean(groupPairValues(matrix, groups));
}

/** Draws each group's members with replacement (same group sizes). */
export function resampleGroups(groups: Groups, rng: Rng): number[][] {
  return groups.map((g) => Array.from({ length: g.length }, () => g[rng.int(g.length)]));
}

/**
 * Percentile bootstrap of `stat` over models resampled within each group of each sample
 * (samples are resampled independently, e.g. two experiments for a difference). `stat` returns
 * null for replicates where it is undefined; those are skipped. Returns null when fewer than
 * half the replicates are defined.
 */
export function bootstrapModels(
  samples: readonly Groups[],
  stat: (resampled: number[][][]) => number | null,
  opts: BootstrapOptions = {},
): Interval | null {
  const B = opts.resamples ?? 2000;
  const rng = new Rng(opts.seed ?? 0);
  const reps: number[] = [];
  for (let b = 0; b < B; b++) {
    const v = stat(samples.map((groups) => resampleGroups(groups, rng)));
    if (v !== null && Number.isFinite(v)) reps.push(v);
  }
  if (reps.length < B / 2) return null;
  return percentileInterval(reps, opts.level ?? 0.95);
}

/** Models in groups that have at least one partner (the units behind a cross-seed mean). */
export function pairedModels(groups: Groups): number {
  return groups.reduce((s, g) => s + (new Set(g).size >= 2 ? new Set(g).size : 0), 0);
}

/** Cross-seed pair mean of one matrix with its model-bootstrap interval. */
export function pairMeanEstimate(
  matrix: PairMatrix,
  groups: Groups,
  opts: BootstrapOptions = {},
): { value: number | null; interval: Interval | null; pairs: number } {
  const values = groupPairValues(matrix, groups);
  const value = mean(values);
  const interval =
    value === null ? null : bootstrapModels([groups], ([g]) => pairMean(matrix, g), opts);
  return { value, interval, pairs: values.length };
}

export interface PairPermutationResult {
  /** Observed mean(a) − mean(b). */
  difference: number | null;
  pValue: number | null;
  method: 'exact' | 'monte-carlo' | null;
  /** Relabellings evaluated. */
  count: number;
}

/**
 * Two-sided permutation test of equal means of two sets of pair values (the studies module's
 * test): exact when there are at most `permutations` relabellings, else that many random ones.
 * Null results when either side has no values.
 */
export function pairPermutationTest(
  a: readonly number[],
  b: readonly number[],
  opts: { permutations?: number; seed?: number } = {},
): PairPermutationResult {
  if (!a.length || !b.length) return { difference: null, pValue: null, method: null, count: 0 };
  const B = opts.permutations ?? 10_000;
  const r = permutationTest(a, b, { maxExact: B, resamples: B, seed: opts.seed ?? 0 });
  return { difference: r.observed, pValue: r.pValue, method: r.method, count: r.permutations };
}
