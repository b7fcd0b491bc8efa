/**
 * Reading a study's numbers back from the store: the analysis rows written by the analysis step
 * (run-analysis.ts) and the runs' metric series. Reports are built only from these reads, so
 * every number in a report is one the store holds.
 */
import type { Store } from '../../../db/store';
import type { AnalysisRow, JsonObject } from '../../../db/types';
import type { AnalysisStore } from '../analysis/run-analysis';
import type { SquareMatrix } from '../stats';

type Reader = Pick<AnalysisStore, 'analyses'>;

const sameIds = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Analyses of `kind` at `step` whose runs are exactly `runIds` (in order). */
export function findAnalyses(
  store: Reader,
  experimentId: number,
  kind: string,
  step: number | null,
  runIds: readonly number[],
  view = 'model-matrix',
): AnalysisRow[] {
  return store.analyses
    .list({ experimentId, kind })
    .filter(
      (a) => a.step === step && (a.params as JsonObject).view === view && sameIds(a.runIds, runIds),
    );
}

/** A model × model matrix (`result.matrix`) of one measure at one layer ('output' for outputs). */
export function modelMatrix(
  store: Reader,
  experimentId: number,
  kind: string,
  step: number,
  runIds: readonly number[],
  layer: string,
): SquareMatrix {
  const row = findAnalyses(store, experimentId, kind, step, runIds).find((a) => a.layers === layer);
  if (!row)
    throw new Error(
      `no stored '${kind}' analysis at step ${step}, layer ${layer} for runs ${runIds.join(',')}`,
    );
  return (row.result as unknown as { matrix: SquareMatrix }).matrix;
}

/** The layers (in model order) for which a model-matrix of `kind` is stored. */
export function storedLayers(
  store: Reader,
  experimentId: number,
  kind: string,
  step: number,
  runIds: readonly number[],
): string[] {
  const rank = (n: string) =>
    n === 'embed' ? -1 : n === 'final_norm' ? 1e9 : Number(/\d+/.exec(n)?.[0] ?? 1e8);
  return findAnalyses(store, experimentId, kind, step, runIds)
    .map((a) => a.layers)
    .filter((l): l is string => typeof l === 'string' && l !== 'output')
    .sort((a, b) => rank(a) - rank(b));
}

export interface LayerMatrixRow {
  runIds: [number, number];
  layersA: string[];
  layersB: string[];
  matrix: (number | null)[][];
}

/** Layer × layer matrices of `kind` at `step`, one per run pair among `runIds`. */
export function layerMatrices(
  store: Reader,
  experimentId: number,
  kind: string,
  step: number,
  runIds: readonly number[],
): LayerMatrixRow[] {
  const want = new Set(runIds);
  return store.analyses
    .list({ experimentId, kind })
    .filter(
      (a) =>
        a.step === step &&
        (a.params as JsonObject).view === 'layer-matrix' &&
        a.runIds.length === 2 &&
        a.runIds.every((id) => want.has(id)),
    )
    .map((a) => ({
      runIds: a.runIds as [number, number],
      ...(a.result as Omit<LayerMatrixRow, 'runIds'>),
    }));
}

/** A stored output-homogenization result (all models of the analysed set). */
export interface StoredHomogenization {
  value: number | null;
  k: number;
  errorRates: (number | null)[];
  allFail: number | null;
}

export function homogenization(
  store: Reader,
  experimentId: number,
  step: number,
  runIds: readonly number[],
): StoredHomogenization {
  const row = findAnalyses(store, experimentId, 'outcome-homogenization', step, runIds)[0];
  if (!row)
    throw new Error(
      `no stored outcome-homogenization at step ${step} for runs ${runIds.join(',')}`,
    );
  return row.result as unknown as StoredHomogenization;
}

/** A metric series of a run as (step, value) pairs. */
export function metricPoints(
  store: Pick<Store, 'metrics'>,
  runId: number,
  name: string,
): { step: number; value: number }[] {
  const s = store.metrics.series(runId, name, { stepsAndValuesOnly: true });
  return s.steps.map((step, i) => ({ step, value: s.values[i] }));
}

/** A stored held-out scoring of `runIds` at `step` (analysis kind `held-out`), per run. */
export interface StoredHeldOut {
  exactMatch: number[];
  tokenAccuracy: number[];
  logLikelihood: number[];
  rows: number;
  tokens: number;
}

export function heldOut(
  store: Reader,
  experimentId: number,
  step: number,
  runIds: readonly number[],
): StoredHeldOut {
  const row = findAnalyses(store, experimentId, 'held-out', step, runIds, 'models')[0];
  if (!row)
    throw new Error(`no stored held-out scores at step ${step} for runs ${runIds.join(',')}`);
  return row.result as unknown as StoredHeldOut;
}

/** A stored aligned-weights table (analysis kind `aligned-weights`) of `runIds` at `step`. */
export function alignedWeights(
  store: Reader,
  experimentId: number,
  step: number,
  runIds: readonly number[],
): {
  matrixCosine: SquareMatrix;
  naiveMatrixCosine: SquareMatrix;
  barrier: SquareMatrix;
  naiveBarrier: SquareMatrix;
} {
  const row = findAnalyses(store, experimentId, 'aligned-weights', step, runIds)[0];
  if (!row)
    throw new Error(`no stored aligned-weights at step ${step} for runs ${runIds.join(',')}`);
  return row.result as never;
}

/** A run's stored weight trajectory (relative distance from its start, per checkpoint). */
export function weightTrajectoryOf(
  store: Reader,
  experimentId: number,
  runId: number,
): { steps: number[]; relativeToInit: number[] } | null {
  const row = store.analyses
    .list({ experimentId, kind: 'weight-trajectory' })
    .filter((a) => a.runIds.length === 1 && a.runIds[0] === runId)
    .at(-1);
  return row ? (row.result as never) : null;
}
