/**
 * THE interval type of the lab: a confidence interval with how it was formed, or no interval
 * with the reason (too few models, an undefined statistic, …). Study reports, comparisons, the
 * CLI's JSON and the UI all carry this one shape. (Types only: the renderer reads them.)
 */
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
