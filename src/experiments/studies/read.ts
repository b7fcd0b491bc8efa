/**
 * Reading a study's numbers back from the store: stored analyses through the one analysis-row
 * module (analysis/rows.ts), and the runs' metric series. Reports are built only from these
 * reads, so every number in a report is one the store holds.
 */
import type { Store } from '../../../db/store';

import { layerMatrices as storedLayerMatrices, type StoredLayerMatrix } from '../analysis/rows';

export {
  homogenization,
  modelMatrix,
  storedLayers,
  type StoredHomogenization,
} from '../analysis/rows';

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
