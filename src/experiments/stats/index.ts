/**
 * THE statistics module of the lab, used by studies and by experiment comparison alike, so the
 * same data gives the same numbers in a study report and in `homolab compare`:
 *
 * - `Interval` (interval.ts): one interval type — bounds, level, method — or no interval with
 *   the reason;
 * - one seeded stream (stream.ts) for every Monte Carlo draw;
 * - the pair extractor over model × model matrices (pairs.ts);
 * - mean pairwise similarity with its jackknife / U-statistic variance over models, and the
 *   difference of two sets of models with a permutation test relabelling models (jackknife.ts);
 * - a model-level grouped bootstrap (bootstrap.ts) and permutation tests of model labels
 *   (permutation.ts); per-model values (per-model.ts); descriptive statistics (describe.ts).
 *
 * See docs/studies.md ("Statistics") for the reasoning and the calibration figures.
 */
export * from './describe';
export * from './interval';
export * from './pairs';
export * from './jackknife';
export * from './permutation';
export * from './bootstrap';
export * from './per-model';
export { DEFAULT_STATS_SEED, statsStream } from './stream';
