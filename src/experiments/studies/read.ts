/**
 * Reading a study's numbers back from the store: stored analyses through the one analysis-row
 * module (analysis/rows.ts), and the runs' metric series. Reports are built only from these
 * reads, so every number in a report is one the store holds.
 */
import type { Store } from '../../../db/store';
import { HELD_OUT_KIND } from '../analysis/held-out';
import type { SquareMatrix } from '../stats';

import {
  layerMatrices as storedLayerMatrices,
  listAnalyses,
  type StoredLayerMatrix,
} from '../analysis/rows';

export {
  homogenization,
  modelMatrix,
  storedLayers,
  weightTrajectoryOf,
  type StoredHomogenization,
} from '../analysis/rows';

type Reader = Pick<Store, 'analyses'>;

/** The newest stored analysis of `kind` and `view` over exactly `runIds` at `step`. */
function group(
  store: Reader,
  experimentId: number,
  kind: string,
  view: 'models' | 'model-matrix',
  step: number,
  runIds: readonly number[],
) {
  return listAnalyses(store, experimentId, { kind, view })
    .filter(
      (a) =>
        a.step === step &&
        a.runIds.length === runIds.length &&
        a.runIds.every((id, i) => id === runIds[i]),
    )
    .sort((a, b) => b.id - a.id)[0];
}

/** Layer × layer matrices of `kind` at `step`, one per run pair among `runIds`. */
export function layerMatrices(
  store: Pick<Store, 'analyses'>,
  experimentId: number,
  kind: string,
  step: number,
  runIds: readonly number[],
): StoredLayerMatrix[] {
  return storedLayerMatrices(store, experimentId, kind, { step, runIds });
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
  const row = group(store, experimentId, HELD_OUT_KIND, 'models', step, runIds);
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
  const row = group(store, experimentId, 'aligned-weights', 'model-matrix', step, runIds);
  if (!row)
    throw new Error(`no stored aligned-weights at step ${step} for runs ${runIds.join(',')}`);
  return row.result as never;
}
