/**
 * Planning an analysis: which measures (by family), which runs and which checkpoint steps. Pure
 * reads of the store, no model code, so a caller can plan first and hand slices of the plan
 * (e.g. one step each) to separate workers.
 */
import type { RunRow } from '../../../db/types';
import { MEASURE_CATALOGUE, MEASURE_IDS } from '../../core/similarity/catalogue';
import { isMeasureName, type MeasureName } from '../../core/similarity/registry';
import type { ExperimentSpec, Measure } from '../spec/spec';
import { OUTPUT_MEASURES, type OutputMeasure } from './pairwise';
import type { AnalysisStore, AnalyzeOptions } from './types';

export interface AnalysisPlan {
  experimentId: number;
  spec: ExperimentSpec;
  /** Every measure asked for, then by family. */
  measures: Measure[];
  representation: MeasureName[];
  /** Representation measures also computed layer × layer per run pair (and vs-final). */
  layer: MeasureName[];
  output: OutputMeasure[];
  spectra: boolean;
  alignedWeights: boolean;
  weightTrajectory: boolean;
  generations: boolean;
  /** Runs with at least one checkpoint, by id. */
  runs: RunRow[];
  /** Each run's checkpoint steps, ascending. */
  checkpointSteps: Map<number, number[]>;
  /** The steps to analyse, ascending. */
  steps: number[];
}

/** The steps to analyse: 'all' = every checkpoint step; 'final' = the last step all runs share. */
export function resolveSteps(
  checkpointSteps: readonly (readonly number[])[],
  want: 'final' | 'all' | readonly number[],
): number[] {
  const union = [...new Set(checkpointSteps.flat())].sort((a, b) => a - b);
  if (want === 'all') return union;
  if (want === 'final') {
    const common = union.filter((s) => checkpointSteps.every((steps) => steps.includes(s)));
    const pick = common.length ? common : union;
    return pick.length ? [pick[pick.length - 1]] : [];
  }
  return [...new Set(want)].sort((a, b) => a - b);
}

const OUT = new Set<string>(OUTPUT_MEASURES);

/** Plans an analysis; throws for unknown measures or runs outside the experiment. */
export function planAnalysis(
  store: AnalysisStore,
  experimentId: number,
  opts: Pick<AnalyzeOptions, 'measures' | 'steps' | 'runIds' | 'layerMeasures'> = {},
): AnalysisPlan {
  const experiment = store.experiments.require(experimentId);
  const spec = experiment.spec as unknown as ExperimentSpec;
  const measures = [...new Set(opts.measures ?? spec.analysis?.measures ?? [])];
  for (const m of measures)
    if (!(MEASURE_IDS as readonly string[]).includes(m))
      throw new Error(`unknown measure '${m}'; allowed: ${MEASURE_IDS.join(', ')}`);
  const representation = measures.filter(
    (m): m is MeasureName => MEASURE_CATALOGUE[m].family === 'representation',
  );
  const layer = (
    opts.layerMeasures ??
    (representation.includes('linear-cka') ? ['linear-cka'] : representation.slice(0, 1))
  ).map((m) => {
    if (!isMeasureName(m)) throw new Error(`unknown layer measure '${m}'`);
    return m;
  });

  let runs = store.runs.listByExperiment(experimentId);
  if (opts.runIds) {
    const want = new Set(opts.runIds);
    for (const id of want)
      if (!runs.some((r) => r.id === id))
        throw new Error(`run ${id} is not part of experiment ${experimentId}`);
    runs = runs.filter((r) => want.has(r.id));
  }
  const checkpointSteps = new Map(
    runs.map((r) => [r.id, store.checkpoints.list(r.id).map((c) => c.step)]),
  );
  runs = runs.filter((r) => checkpointSteps.get(r.id)!.length > 0).sort((a, b) => a.id - b.id);
  const steps = runs.length
    ? resolveSteps(
        runs.map((r) => checkpointSteps.get(r.id)!),
        opts.steps ?? spec.analysis?.checkpoints ?? 'final',
      )
    : [];
  return {
    experimentId,
    spec,
    measures,
    representation,
    layer,
    output: measures.filter((m): m is OutputMeasure => OUT.has(m)),
    spectra: measures.includes('spectra'),
    alignedWeights: measures.includes('aligned-weights'),
    weightTrajectory: measures.includes('weight-trajectory'),
    generations: measures.includes('generations'),
    runs,
    checkpointSteps,
    steps,
  };
}
