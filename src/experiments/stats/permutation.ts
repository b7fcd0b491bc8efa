/**
 * Permutation tests whose unit is the model: relabel models (their group labels, or values
 * that stand for one model each), never pair values. Two-sided on |statistic|; exact (every
 * distinct relabelling enumerated) when there are at most `maxExact`, else seeded Monte Carlo
 * with the (b + 1) / (m + 1) correction so p is never 0.
 */
import { meanPairs, type SquareMatrix } from './pairs';
import { shuffle, statsStream } from './stream';

export interface PermutationResult {
  /** Statistic on the observed labelling. */
  observed: number;
  /** Two-sided p-value: share of relabellings with |stat| ≥ |observed| (observed included). */
  pValue: number;
  method: 'exact' | 'monte-carlo';
  /** Relabellings evaluated. */
  permutations: number;
}

export interface PermutationOptions {
  /** Enumerate every relabelling when there are at most this many (default 20,000). */
  maxExact?: number;
  /** Monte Carlo relabellings otherwise (default 10,000). */
  resamples?: number;
  /** Seed of the stream (stream.ts); default 0. */
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

// Relative tolerance for "as extreme as observed": relabellings that reproduce the observed
// statistic up to rounding must count, or exact p-values come out too small.
const TIE = 1e-12;

/** `statistic(labels)` on the observed labelling against every (or random) rearrangement. */
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
  const rng = statsStream(opts.seed);
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
 * Two-sample permutation test of mean(a) − mean(b), where each value stands for one model
 * (e.g. a per-model accuracy, or a jackknife pseudo-value); two-sided.
 */
export function permutationTest(
  a: readonly number[],
  b: readonly number[],
  opts: PermutationOptions = {},
): PermutationResult {
  if (!a.length || !b.length) throw new Error('permutation test: both groups need values');
  const values = [...a, ...b];
  const labels = values.map((_, i) => (i < a.length ? 0 : 1));
  return labelPermutationTest(
    labels,
    (lab) => {
      let sx = 0;
      let nx = 0;
      let sy = 0;
      for (let i = 0; i < lab.length; i++)
        if (lab[i] === 0) {
          sx += values[i];
          nx++;
        } else sy += values[i];
      return sx / nx - sy / (values.length - nx);
    },
    opts,
  );
}

/**
 * Mantel-style test on one matrix over all models: `statistic(m, labels)` under every (or
 * random) rearrangement of the models' labels. Valid when, under the null, every model is
 * exchangeable with every other (all pairs of the matrix are defined and drawn alike).
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
