/**
 * THE interval type of the lab: a confidence interval with how it was formed, or no interval
 * with the reason (too few models, an undefined statistic, …). Study reports, comparisons, the
 * CLI's JSON and the UI all carry this one shape.
 */
import { jStat } from 'jstat';

export type IntervalMethod =
  /** Jackknife over models, Student t with K − 1 degrees of freedom (one sample of models). */
  | 'jackknife-t'
  /** Two independent samples of models: jackknife variances, Welch–Satterthwaite t. */
  | 'jackknife-welch-t'
  /** Independent values (one per model): mean ± t·s/√n. */
  | 't'
  /** Percentile bootstrap over models resampled with replacement (within groups). */
  | 'bootstrap-percentile';

export interface Interval {
  /** Bounds; both null when there is no interval (then `reason` says why). */
  lower: number | null;
  upper: number | null;
  /** Nominal coverage, e.g. 0.95. */
  level: number;
  method: IntervalMethod | null;
  /** Why there is no interval; null when there is one. */
  reason: string | null;
}

/** A statistic with its interval and the units behind it. */
export interface Estimate {
  /** The statistic on the data; null when undefined. */
  value: number | null;
  interval: Interval;
  /** Models (the resampling units) behind the value. */
  models: number;
}

/** A mean over model pairs: an `Estimate` that also counts the pairs. */
export interface PairwiseEstimate extends Estimate {
  pairs: number;
}

export const DEFAULT_LEVEL = 0.95;

export function checkLevel(level: number): void {
  if (!(level > 0 && level < 1))
    throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
}

export function noInterval(reason: string, level = DEFAULT_LEVEL): Interval {
  return { lower: null, upper: null, level, method: null, reason };
}

/** Two-sided Student t quantile t_{(1+level)/2, dof}. */
export function tQuantile(level: number, dof: number): number {
  return jStat.studentt.inv(0.5 + level / 2, dof);
}

/** Two-sided p-value of a t statistic. */
export function tPValue(t: number, dof: number): number {
  return 2 * (1 - jStat.studentt.cdf(Math.abs(t), dof));
}

/** estimate ± t_{dof}·se; no interval when se or dof is not usable. */
export function tInterval(
  estimate: number,
  se: number,
  dof: number,
  level: number,
  method: IntervalMethod,
): Interval {
  checkLevel(level);
  if (!Number.isFinite(estimate)) return noInterval('the statistic is undefined', level);
  if (!(Number.isFinite(se) && se >= 0 && dof > 0))
    return noInterval('no variance estimate across models', level);
  const h = tQuantile(level, dof) * se;
  return { lower: estimate - h, upper: estimate + h, level, method, reason: null };
}

/** Text for reports: `0.812 [0.760, 0.864]`, or `0.812 (no interval: reason)`. */
export function formatEstimate(e: { value: number | null; interval: Interval }, digits = 3): string {
  if (e.value === null || !Number.isFinite(e.value)) return 'n/a';
  const v = e.value.toFixed(digits);
  const { lower, upper } = e.interval;
  if (lower === null || upper === null) return `${v} (no interval: ${e.interval.reason})`;
  return `${v} [${lower.toFixed(digits)}, ${upper.toFixed(digits)}]`;
}

/** True when the interval exists and lies entirely above `x`. */
export const above = (iv: Interval, x: number): boolean => iv.lower !== null && iv.lower > x;
/** True when the interval exists and lies entirely below `x`. */
export const below = (iv: Interval, x: number): boolean => iv.upper !== null && iv.upper < x;
