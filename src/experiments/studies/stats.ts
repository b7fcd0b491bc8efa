/**
 * Statistics for studies: uncertainty over seeds and tests between groups of models.
 *
 * - `bootstrapCI`: percentile bootstrap confidence interval of a statistic of independent
 *   values (e.g. one number per seed), with a seeded RNG so a report is reproducible.
 * - `bootstrapPairwiseCI`: the same for a statistic of a model × model matrix (e.g. the mean
 *   CKA over seed pairs). Pairs are not independent, so the resampling unit is the *model*
 *   (seed): draw models with replacement and average the matrix over pairs of distinct draws
 *   (pairs of a model with its own duplicate are skipped, they carry no cross-seed information).
 * - `permutationTest`: two-sample test of a difference in means (or any statistic), two-sided;
 *   exact (every relabelling enumerated) when the number of relabellings is at most `maxExact`,
 *   else Monte Carlo with the (b + 1) / (m + 1) correction so p is never 0.
 * - `matrixPermutationTest`: Mantel-style test on a model × model matrix: permute the models'
 *   group labels (group sizes kept) and recompute a statistic of the matrix and the labels.
 *
 * All of them are pure functions of their inputs and seed.
 */
import { Rng } from '../../core/rng';

export interface Interval {
  /** The statistic on the original data. */
  estimate: number;
  lower: number;
  upper: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Bootstrap resamples drawn (0 when the interval is degenerate). */
  resamples: number;
}

export interface BootstrapOptions {
  /** Resamples (default 2,000). */
  resamples?: number;
  /** Confidence level in (0, 1) (default 0.95). */
  level?: number;
  /** RNG seed (default 0). */
  seed?: number;
}

export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Sample standard deviation (n − 1); NaN for fewer than two values. */
export function std(xs: ArrayLike<number>): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/**
 * Quantile with linear interpolation between order statistics (NumPy's default 'linear'
 * method, R type 7). `sorted` must be ascending.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1))
    throw new Error(`confidence level must be in (0, 1), got ${level}`);
}

function percentileInterval(
  estimate: number,
  draws: number[],
  level: number,
  resamples: number,
): Interval {
  const finite = draws.filter(Number.isFinite).sort((a, b) => a - b);
  const a = (1 - level) / 2;
  return {
    estimate,
    lower: quantileSorted(finite, a),
    upper: quantileSorted(finite, 1 - a),
    level,
    resamples,
  };
}

/**
 * Percentile bootstrap CI of `statistic` (default: the mean) over independent `values`.
 * With fewer than two values the interval is [estimate, estimate] with 0 resamples.
 */
export function bootstrapCI(
  values: readonly number[],
  opts: BootstrapOptions & { statistic?: (xs: number[]) => number } = {},
): Interval {
  const stat = opts.statistic ?? ((xs: number[]) => mean(xs));
  const level = opts.level ?? 0.95;
  checkLevel(level);
  const estimate = stat([...values]);
  const n = values.length;
  if (n < 2) return { estimate, lower: estimate, upper: estimate, level, resamples: 0 };
  const B = opts.resamples ?? 2000;
  const rng = Rng.derive(opts.seed ?? 0, 'bootstrap');
  const draws: number[] = new Array(B);
  const buf = new Array<number>(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) buf[i] = values[rng.int(n)];
    draws[b] = stat(buf);
  }
  return percentileInterval(estimate, draws, level, B);
}

/** A square matrix as rows; null/NaN cells are "undefined" and skipped by the statistics. */
export type SquareMatrix = readonly (readonly (number | null)[])[];

/** Mean of the off-diagonal cells (i < j) among `idx` (model indices, may repeat), skipping
 * pairs of one model with itself and undefined cells. */
export function meanOffDiagonal(m: SquareMatrix, idx?: readonly number[]): number {
  const ids = idx ?? m.map((_, i) => i);
  let s = 0;
  let n = 0;
  for (let a = 0; a < ids.length; a++)
    for (let b = a + 1; b < ids.length; b++) {
      const i = ids[a];
      const j = ids[b];
      if (i === j) continue;
      const v = m[i][j];
      if (v === null || !Number.isFinite(v)) continue;
      s += v;
      n++;
    }
  return n ? s / n : NaN;
}

/**
 * Percentile bootstrap CI of the mean pairwise value of a symmetric model × model matrix,
 * resampling models (seeds) with replacement. Needs at least three models for a non-degenerate
 * interval (with two, every resample has at most one distinct pair).
 */
export function bootstrapPairwiseCI(m: SquareMatrix, opts: BootstrapOptions = {}): Interval {
  const level = opts.level ?? 0.95;
  checkLevel(level);
  const n = m.length;
  const estimate = meanOffDiagonal(m);
  if (n < 3) return { estimate, lower: estimate, upper: estimate, level, resamples: 0 };
  const B = opts.resamples ?? 2000;
  const rng = Rng.derive(opts.seed ?? 0, 'bootstrap-pairwise');
  const draws: number[] = [];
  const idx = new Array<number>(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    draws.push(meanOffDiagonal(m, idx));
  }
  return percentileInterval(estimate, draws, level, B);
}

export interface PermutationResult {
  /** Statistic on the observed labelling. */
  observed: number;
  /** Two-sided p-value: share of relabellings with |stat| ≥ |observed| (observed included). */
  pValue: number;
  /** 'exact' (every distinct relabelling) or 'monte-carlo'. */
  method: 'exact' | 'monte-carlo';
  /** Relabellings evaluated (including the observed one for exact tests). */
  permutations: number;
}

export interface PermutationOptions {
  /** Enumerate every relabelling when there are at most this many (default 20,000). */
  maxExact?: number;
  /** Monte Carlo relabellings otherwise (default 10,000). */
  resamples?: number;
  seed?: number;
}

/** n choose k as a float (exact for the sizes used here). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Number of distinct arrangements of a multiset of labels (multinomial coefficient). */
export function arrangements(labels: readonly (string | number)[]): number {
  const counts = new Map<string | number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let left = labels.length;
  let r = 1;
  for (const c of counts.values()) {
    r *= binomial(left, c);
    left -= c;
  }
  return r;
}

/** Calls `visit` with every distinct arrangement of `labels` (lexicographic, in place). */
export function forEachArrangement<T extends string | number>(
  labels: readonly T[],
  visit: (arrangement: readonly T[]) => void,
): void {
  const a = [...labels].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  // Next lexicographic permutation of a multiset (Narayana Pandita).
  for (;;) {
    visit(a);
    let i = a.length - 2;
    while (i >= 0 && a[i] >= a[i + 1]) i--;
    if (i < 0) return;
    let j = a.length - 1;
    while (a[j] <= a[i]) j--;
    [a[i], a[j]] = [a[j], a[i]];
    for (let l = i + 1, r = a.length - 1; l < r; l++, r--) [a[l], a[r]] = [a[r], a[l]];
  }
}

function shuffle<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}

// Relative tolerance for "as extreme as observed": relabellings that reproduce the observed
// statistic up to rounding must count, or exact p-values come out too small.
const TIE = 1e-12;

/**
 * Generic label-permutation test: `statistic(labels)` on the observed labelling against every
 * (or random) rearrangement of the same labels; two-sided on |statistic|.
 */
export function labelPermutationTest<T extends string | number>(
  labels: readonly T[],
  statistic: (labels: readonly T[]) => number,
  opts: PermutationOptions = {},
): PermutationResult {
  const observed = statistic(labels);
  const thr = Math.abs(observed) * (1 - TIE) - TIE;
  const total = arrangements(labels);
  if (total <= (opts.maxExact ?? 20_000)) {
    let extreme = 0;
    let count = 0;
    forEachArrangement(labels, (a) => {
      count++;
      const s = statistic(a);
      if (Number.isFinite(s) && Math.abs(s) >= thr) extreme++;
    });
    return { observed, pValue: extreme / count, method: 'exact', permutations: count };
  }
  const M = opts.resamples ?? 10_000;
  const rng = Rng.derive(opts.seed ?? 0, 'permutation');
  const a = [...labels];
  let extreme = 0;
  for (let m = 0; m < M; m++) {
    shuffle(a, rng);
    const s = statistic(a);
    if (Number.isFinite(s) && Math.abs(s) >= thr) extreme++;
  }
  return { observed, pValue: (extreme + 1) / (M + 1), method: 'monte-carlo', permutations: M };
}

/**
 * Two-sample permutation test of `statistic(a) − statistic(b)` (default: difference in
 * means), two-sided.
 */
export function permutationTest(
  a: readonly number[],
  b: readonly number[],
  opts: PermutationOptions & { statistic?: (xs: number[]) => number } = {},
): PermutationResult {
  if (!a.length || !b.length) throw new Error('permutation test: both groups need values');
  const stat = opts.statistic ?? ((xs: number[]) => mean(xs));
  const values = [...a, ...b];
  const labels = values.map((_, i) => (i < a.length ? 0 : 1));
  return labelPermutationTest(
    labels,
    (lab) => {
      const x: number[] = [];
      const y: number[] = [];
      lab.forEach((l, i) => (l === 0 ? x : y).push(values[i]));
      return stat(x) - stat(y);
    },
    opts,
  );
}

/** Mean of the matrix over pairs (i < j) for which `keep(i, j)` holds, skipping undefined cells. */
export function meanPairs(m: SquareMatrix, keep: (i: number, j: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < m.length; i++)
    for (let j = i + 1; j < m.length; j++) {
      if (!keep(i, j)) continue;
      const v = m[i][j];
      if (v === null || !Number.isFinite(v)) continue;
      s += v;
      n++;
    }
  return n ? s / n : NaN;
}

/**
 * Mantel-style permutation test on a model × model matrix: `statistic(m, labels)` under every
 * (or random) rearrangement of the models' group labels.
 */
export function matrixPermutationTest<T extends string | number>(
  m: SquareMatrix,
  labels: readonly T[],
  statistic: (m: SquareMatrix, labels: readonly T[]) => number,
  opts: PermutationOptions = {},
): PermutationResult {
  if (labels.length !== m.length)
    throw new Error(`matrix permutation test: ${labels.length} labels for ${m.length} models`);
  return labelPermutationTest(labels, (l) => statistic(m, l), opts);
}

/** Statistic: mean over same-label pairs minus mean over different-label pairs. */
export function withinMinusBetween<T>(m: SquareMatrix, labels: readonly T[]): number {
  return (
    meanPairs(m, (i, j) => labels[i] === labels[j]) -
    meanPairs(m, (i, j) => labels[i] !== labels[j])
  );
}

/** Statistic: mean within group `a` minus mean within group `b` (pairs inside each group). */
export function withinGroupDifference<T>(a: T, b: T) {
  return (m: SquareMatrix, labels: readonly T[]): number =>
    meanPairs(m, (i, j) => labels[i] === a && labels[j] === a) -
    meanPairs(m, (i, j) => labels[i] === b && labels[j] === b);
}

/** Spearman rank correlation (average ranks for ties); NaN with fewer than 2 points. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error('spearman: lengths differ');
  if (x.length < 2) return NaN;
  return pearson(ranks(x), ranks(y));
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}
