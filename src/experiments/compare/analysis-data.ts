/**
 * An experiment's stored analyses as the comparison needs them: per measure, step and layer, a
 * square matrix over the experiment's runs (null where a pair was not analysed). Read through
 * the one analysis-row module (analysis/rows.ts), which also picks, where several rows cover
 * one (step, layer), the one over the most runs, then the newest.
 */
import type { Store } from '../../../db/store';
import { homogenizationByStep, modelMatrices, reindex } from '../analysis/rows';
import type { SquareMatrix as PairMatrix } from '../stats';

export { layerRank, sortLayers, type StoredHomogenization } from '../analysis/rows';

export interface RunIndex {
  /** Run ids, matrix axis order. */
  runIds: number[];
  pos: Map<number, number>;
}

export function runIndex(runIds: readonly number[]): RunIndex {
  return { runIds: [...runIds], pos: new Map(runIds.map((id, i) => [id, i])) };
}

/** step → layer → run-indexed matrix, for one measure. */
export type MeasureMatrices = Map<number, Map<string, PairMatrix>>;

/** Every stored model × model matrix of `measure` for the experiment, by step and layer. */
export function measureMatrices(
  store: Pick<Store, 'analyses'>,
  experimentId: number,
  measure: string,
  index: RunIndex,
): MeasureMatrices {
  const out: MeasureMatrices = new Map();
  for (const [step, layers] of modelMatrices(store, experimentId, measure)) {
    const byLayer = new Map<string, PairMatrix>();
    for (const [layer, m] of layers) byLayer.set(layer, reindex(m, index.runIds));
    out.set(step, byLayer);
  }
  return out;
}

/** Elementwise mean over matrices, ignoring nulls (null where every matrix is null). */
export function averageMatrices(matrices: readonly PairMatrix[]): PairMatrix {
  const n = matrices[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      let c = 0;
      for (const m of matrices) {
        const v = m[i][j];
        if (v !== null) {
          s += v;
          c++;
        }
      }
      return c ? s / c : null;
    }),
  );
}

/** The largest step ≤ `want` that has matrices ('final': the largest of all); null if none. */
export function pickStep(steps: Iterable<number>, want: 'final' | number): number | null {
  const sorted = [...steps].sort((a, b) => a - b);
  if (!sorted.length) return null;
  if (want === 'final') return sorted[sorted.length - 1];
  const le = sorted.filter((s) => s <= want);
  return le.length ? le[le.length - 1] : null;
}

/** The outcome-homogenization rows of an experiment (over the most runs per step), by step. */
export function outcomeHomogenizationRows(store: Pick<Store, 'analyses'>, experimentId: number) {
  return homogenizationByStep(store, experimentId);
}
