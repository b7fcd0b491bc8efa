/**
 * The model-level (grouped) bootstrap: resample models with replacement within each group of
 * each sample, recompute a statistic, take percentile bounds. For statistics that are not a
 * mean over pairs (those use the jackknife, jackknife.ts). With few models the percentile
 * bootstrap is coarse — with K = 4 a two-model resample has the smallest and largest pair as
 * its only values — so below `minModels` models in a group there is no interval, with the
 * reason.
 */
import { quantileSorted } from './describe';
import { checkLevel, DEFAULT_LEVEL, noInterval, type Interval } from './interval';
import type { Groups } from './pairs';
import { statsStream } from './stream';

export interface BootstrapOptions {
  /** Replicates (default 2,000). */
  resamples?: number;
  level?: number;
  /** Seed of the stream (stream.ts); default 0. */
  seed?: number;
  /** Fewest distinct models in every group for an interval (default 8). */
  minModels?: number;
}

export const BOOTSTRAP_MIN_MODELS = 8;

/** Draws each group's members with replacement (same group sizes). */
export function resampleGroups(groups: Groups, next: (n: number) => number): number[][] {
  return groups.map((g) => Array.from({ length: g.length }, () => g[next(g.length)]));
}

/**
 * Percentile bootstrap of `stat` over models resampled within each group of each sample
 * (samples are resampled independently). `stat` returns NaN for replicates where it is
 * undefined; those are skipped, and fewer than half defined gives no interval.
 */
export function bootstrapModels(
  samples: readonly Groups[],
  stat: (resampled: number[][][]) => number,
  opts: BootstrapOptions = {},
): Interval {
  const level = opts.level ?? DEFAULT_LEVEL;
  checkLevel(level);
  const min = opts.minModels ?? BOOTSTRAP_MIN_MODELS;
  const smallest = Math.min(...samples.flatMap((s) => s.map((g) => new Set(g).size)));
  if (smallest < min)
    return noInterval(
      `a group has ${smallest} models; a percentile bootstrap over fewer than ${min} is too coarse`,
      level,
    );
  const B = opts.resamples ?? 2000;
  const rng = statsStream(opts.seed);
  const reps: number[] = [];
  for (let b = 0; b < B; b++) {
    const v = stat(samples.map((groups) => resampleGroups(groups, (n) => rng.int(n))));
    if (Number.isFinite(v)) reps.push(v);
  }
  if (reps.length < B / 2)
    return noInterval('the statistic is undefined in most bootstrap resamples', level);
  reps.sort((x, y) => x - y);
  const a = (1 - level) / 2;
  return {
    lower: quantileSorted(reps, a),
    upper: quantileSorted(reps, 1 - a),
    level,
    method: 'bootstrap-percentile',
    reason: null,
  };
}
