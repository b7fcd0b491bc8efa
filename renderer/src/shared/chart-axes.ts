/** What the x axis of a training curve shows, and how a curve is put on it. */
export type CurveAxis = 'step' | 'tokens' | 'wallTime' | 'fraction';
export const CURVE_AXES: readonly CurveAxis[] = ['step', 'tokens', 'wallTime', 'fraction'];

/** Panes of a side-by-side chart: one x and y scale for all, each its own, or decided by data. */
export type AxesChoice = 'auto' | 'shared' | 'independent';
export const AXES_CHOICES: readonly AxesChoice[] = ['auto', 'shared', 'independent'];

/** Steps as a fraction of the run's training, so runs of different lengths line up. */
export function asFraction(steps: readonly number[], totalSteps: number): number[] {
  const total = totalSteps > 0 ? totalSteps : Math.max(1, ...steps);
  return steps.map((s) => s / total);
}

/** Smallest and largest finite value, or null when there is none. */
export function extent(values: Iterable<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values)
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return Number.isFinite(lo) ? [lo, hi] : null;
}

/**
 * y bounds that hug the data: padded a little, but never below 0 when the data are not
 * negative (a loss or a similarity has no values there), and within `limits` when given.
 */
export function paddedRange(
  values: Iterable<number>,
  pad = 0.04,
  limits: readonly [number, number] | null = null,
): [number, number] | null {
  const range = extent(values);
  if (!range) return null;
  const [lo, hi] = range;
  const span = hi - lo || Math.abs(hi) || 1;
  let a = lo - span * pad;
  let b = hi + span * pad;
  if (lo >= 0 && a < 0) a = 0;
  if (limits) {
    a = Math.max(a, limits[0]);
    b = Math.min(b, limits[1]);
  }
  return [a, b];
}
