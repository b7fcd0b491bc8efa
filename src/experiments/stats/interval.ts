// jstat ships no types; a reference (not an import) so every program that reaches this file,
// the renderer's type-check included, sees the declaration.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./jstat.d.ts" />
/** Forming intervals (types.ts holds the `Interval` shape): t intervals, none with a reason. */
import jstat from 'jstat';
import type { Interval, IntervalMethod } from './types';

export type { Estimate, Interval, IntervalMethod, PairwiseEstimate } from './types';

const { jStat } = jstat;

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
export function formatEstimate(
  e: { value: number | null; interval: Interval },
  digits = 3,
): string {
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
