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
 * The permutation test compares the mean pair value of two experiments by relabelling the
 * pooled pair values (exactly, enumerating every split when there are at most `permutations`
 * of them, else Monte Carlo with the (b + 1) / (B + 1) estimate). It treats pair values as
 * exchangeable, which their shared models make only approximately true; the report says so.
 *
 * These are minimal local versions: the studies module's statistics helpers did not exist when
 * this was written (see docs/compare.md).
 */
import { Rng } from '../../core/rng';
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
export function quantile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

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

export interface PermutationResult {
  /** Observed mean(a) − mean(b). */
  difference: number | null;
  pValue: number | null;
  method: 'exact' | 'monte-carlo' | null;
  /** Relabellings evaluated. */
  count: number;
}

/** n choose k as a float (Infinity past 2^53-ish is fine: it only selects the method). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * Two-sided permutation test of equal means: p = share of relabellings whose |mean difference|
 * is at least the observed one. Exact when C(n_a + n_b, n_a) ≤ `permutations` (default 10,000),
 * otherwise `permutations` random relabellings with p = (hits + 1) / (B + 1).
 */
export function permutationTest(
  a: readonly number[],
  b: readonly number[],
  opts: { permutations?: number; seed?: number } = {},
): PermutationResult {
  const na = a.length;
  const nb = b.length;
  if (!na || !nb) return { difference: null, pValue: null, method: null, count: 0 };
  const pooled = [...a, ...b];
  const total = pooled.reduce((s, x) => s + x, 0);
  const n = pooled.length;
  const diffOf = (sumA: number) => sumA / na - (total - sumA) / nb;
  const observed = diffOf(a.reduce((s, x) => s + x, 0));
  // Tolerance so that relabellings equal to the observed split up to rounding count as hits.
  const tol = 1e-12 * Math.max(1, Math.abs(observed));
  const hit = (sumA: number) => Math.abs(diffOf(sumA)) >= Math.abs(observed) - tol;
  const B = opts.permutations ?? 10_000;
  if (binomial(n, na) <= B) {
    let hits = 0;
    let count = 0;
    // Enumerate every subset of size na of the pooled indices (lexicographic combinations).
    const idx = Array.from({ length: na }, (_, i) => i);
    for (;;) {
      let s = 0;
      for (const i of idx) s += pooled[i];
      count++;
      if (hit(s)) hits++;
      let i = na - 1;
      while (i >= 0 && idx[i] === n - na + i) i--;
      if (i < 0) break;
      idx[i]++;
      for (let j = i + 1; j < na; j++) idx[j] = idx[j - 1] + 1;
    }
    return { difference: observed, pValue: hits / count, method: 'exact', count };
  }
  const rng = new Rng(opts.seed ?? 0);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let hits = 0;
  for (let r = 0; r < B; r++) {
    // Partial Fisher–Yates: the first na positions become a uniform random subset.
    for (let i = 0; i < na; i++) {
      const j = i + rng.int(n - i);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    let s = 0;
    for (let i = 0; i < na; i++) s += pooled[perm[i]];
    if (hit(s)) hits++;
  }
  return { difference: observed, pValue: (hits + 1) / (B + 1), method: 'monte-carlo', count: B };
}
