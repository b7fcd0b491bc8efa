/**
 * `compareExperiments`: side-by-side comparison of whole experiments from the store —
 * seed groups' loss curves on shared grids, cross-seed similarity profiles, output-level
 * homogenization, similarity trajectories, the spec diff and the summary table with
 * differences from the reference experiment. A pure read of the store: the analyses it reads
 * are computed beforehand through the lab (`analyzeExperiment`, in a worker), never here.
 */
import { experimentData, type ExperimentData } from './experiment-entry';
import { groupBands, readRunSeries, sharedGrids, type RunSeries } from './loss-curves';
import { sortLayers } from './analysis-data';
import { specDiff } from './spec-diff';
import type { CompareStore } from './store';
import { summaryRows } from './summary';
import type { Comparison, ComparisonSettings } from './types';

export interface CompareOptions {
  /** Index (in `experimentIds`) of the reference experiment for differences (default 0). */
  reference?: number;
  /** Representation measure of the profile and trajectory (default 'linear-cka'). */
  similarityMeasure?: string;
  /** Checkpoint step of the profile and output measures: 'final' (default) or the latest ≤ N. */
  step?: 'final' | number;
  /** Points of the shared x grids (default 200). */
  gridPoints?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
  /**
   * Kept so saved comparisons and scripts that pass it still load: intervals are jackknife
   * intervals over models (src/experiments/stats), which draw no resamples.
   */
  resamples?: number;
  /** Permutation-test relabellings; exact enumeration below this many (default 10,000). */
  permutations?: number;
  /** Seed of the permutation tests' Monte Carlo stream (default 0): same inputs, same numbers. */
  seed?: number;
  /** Metrics drawn as curves (default ['loss', 'eval_loss']). */
  metrics?: string[];
  /** Clock for `createdAt` (tests). */
  now?: () => number;
}

function settingsOf(ids: readonly number[], opts: CompareOptions): ComparisonSettings {
  const reference = opts.reference ?? 0;
  if (!Number.isInteger(reference) || reference < 0 || reference >= ids.length)
    throw new RangeError(
      `reference must index one of the ${ids.length} experiments, got ${reference}`,
    );
  const step = opts.step ?? 'final';
  if (step !== 'final' && !(Number.isInteger(step) && step >= 0))
    throw new RangeError(`step must be 'final' or a non-negative integer, got ${String(step)}`);
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  return {
    reference,
    similarityMeasure: opts.similarityMeasure ?? 'linear-cka',
    step,
    gridPoints: Math.max(2, Math.trunc(opts.gridPoints ?? 200)),
    level,
    resamples: Math.max(1, Math.trunc(opts.resamples ?? 2000)),
    permutations: Math.max(1, Math.trunc(opts.permutations ?? 10_000)),
    seed: opts.seed ?? 0,
    metrics: opts.metrics ?? ['loss', 'eval_loss'],
  };
}

/**
 * Compares experiments (two or more, in the order given; one is allowed and yields a one-column
 * report). Throws `NotFoundError` for an unknown experiment id, `RangeError` for bad options.
 */
export async function compareExperiments(
  store: CompareStore,
  experimentIds: readonly number[],
  opts: CompareOptions = {},
): Promise<Comparison> {
  if (!experimentIds.length) throw new RangeError('compare needs at least one experiment');
  if (new Set(experimentIds).size !== experimentIds.length)
    throw new RangeError(`an experiment is listed twice: ${experimentIds.join(', ')}`);
  for (const id of experimentIds) store.experiments.require(id);
  const settings = settingsOf(experimentIds, opts);
  const notes: string[] = [];

  const data: ExperimentData[] = experimentIds.map((id) =>
    experimentData(store, id, {
      level: settings.level,
      similarityMeasure: settings.similarityMeasure,
      step: settings.step,
    }),
  );

  // Loss curves: read every run once per metric, then grid over all experiments together.
  const buckets = Math.max(1000, settings.gridPoints * 4);
  const series = new Map<string, Map<number, RunSeries>>();
  for (const metric of settings.metrics) {
    const m = new Map<number, RunSeries>();
    for (const d of data)
      for (const r of d.runs) m.set(r.id, readRunSeries(store, r.id, metric, buckets));
    series.set(metric, m);
  }
  const lossSeries = series.get(settings.metrics[0]);
  const grids = sharedGrids([...(lossSeries?.values() ?? [])], settings.gridPoints);
  for (const d of data) {
    d.entry.lossCurves = settings.metrics.map((metric) => ({
      metric,
      groups: groupBands(d.entry.seedGroups, series.get(metric)!, grids),
    }));
    for (const metric of settings.metrics)
      if (!d.runs.some((r) => (series.get(metric)!.get(r.id)?.values.length ?? 0) > 0))
        d.entry.missing.push({
          field: `lossCurves.${metric}`,
          reason: `no run has '${metric}' metrics`,
        });
  }

  const measures = new Set(data.map((d) => d.entry.profile?.measure).filter(Boolean));
  if (measures.size > 1) notes.push(`profiles use different measures: ${[...measures].join(', ')}`);
  const steps = new Set(data.map((d) => d.entry.profile?.step).filter((s) => s !== undefined));
  if (steps.size > 1)
    notes.push(
      `profiles are read at different steps (${[...steps].join(', ')}): each experiment's own ${settings.step} checkpoint`,
    );
  notes.push(
    'Intervals: jackknife over models (leave one run out, Student t; none with fewer than 3 models), cut to the measure’s range; ' +
      'p-values: permutation test relabelling models (their jackknife pseudo-values) between experiments, never pair values.',
  );

  return {
    version: 1,
    createdAt: (opts.now ?? Date.now)(),
    experimentIds: [...experimentIds],
    settings,
    grids,
    experiments: data.map((d) => d.entry),
    specDiff: specDiff(
      data.map((d) => ({
        spec: store.experiments.require(d.entry.experimentId).spec,
        runs: d.runs,
      })),
    ),
    summary: summaryRows(store, data, {
      level: settings.level,
      seed: settings.seed,
      reference: settings.reference,
      permutations: settings.permutations,
    }),
    layers: sortLayers(data.flatMap((d) => d.entry.profile?.layers.map((l) => l.layer) ?? [])),
    notes,
  };
}
