/**
 * Statistics of one number per model (an accuracy, a transition step, a per-model change):
 * independent values, so the classical t interval and a permutation test of the values.
 */
import { mean, std } from './describe';
import { checkLevel, DEFAULT_LEVEL, noInterval, tInterval, type Estimate } from './interval';

/** Mean of independent per-model values with its t interval (none below two values). */
export function meanEstimate(values: readonly number[], opts: { level?: number } = {}): Estimate {
  const level = opts.level ?? DEFAULT_LEVEL;
  checkLevel(level);
  const v = values.filter(Number.isFinite);
  if (!v.length) return { value: null, interval: noInterval('no values', level), models: 0 };
  const m = mean(v);
  if (v.length < 2)
    return { value: m, interval: noInterval('one model: no spread to estimate', level), models: 1 };
  const s = std(v);
  const interval =
    s === 0
      ? { lower: m, upper: m, level, method: 't' as const, reason: null }
      : tInterval(m, s / Math.sqrt(v.length), v.length - 1, level, 't');
  return { value: m, interval, models: v.length };
}
