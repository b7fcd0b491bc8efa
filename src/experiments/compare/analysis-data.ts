/**
 * Reading an experiment's stored analyses (written by the analysis step, src/experiments/analysis)
 * into run-indexed pair matrices: for one measure, per checkpoint step and layer, a square matrix
 * over the experiment's runs (null where a pair was not analysed).
 *
 * Row shapes read (see run-analysis.ts): `kind` = measure, `params.view = 'model-matrix'`,
 * `runIds` = the matrix's axes, `layers` = a layer name ('embed', 'blocks.0', 'final_norm') or
 * 'output' for output measures, `result.matrix` = model × model values; outcome homogenization
 * is `result = { value, k, errorRates, allFail }`. When several rows cover the same
 * (step, layer) — e.g. re-analysed with more runs — the one over the most runs, then the newest,
 * wins.
 */
import type { AnalysisRow, Json, JsonObject } from '../../../db/types';
import type { Store } from '../../../db/store';
import type { SquareMatrix as PairMatrix } from '../stats';

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

const isObj = (v: Json): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

/** Network order: embedding, blocks by index, final norm, then anything else, then 'output'. */
export function layerRank(layer: string): number {
  if (layer === 'embed') return -1;
  if (layer === 'final_norm') return 1e9;
  if (layer === 'output') return 2e9;
  const m = /(\d+)/.exec(layer);
  return m ? Number(m[1]) : 1e8;
}

export function sortLayers(layers: Iterable<string>): string[] {
  return [...new Set(layers)].sort((a, b) => layerRank(a) - layerRank(b) || a.localeCompare(b));
}

function modelMatrixRows(rows: readonly AnalysisRow[]): AnalysisRow[] {
  return rows.filter((r) => {
    const view = (r.params as JsonObject).view;
    return (
      (view === undefined || view === 'model-matrix') &&
      r.step !== null &&
      typeof r.layers === 'string' &&
      isObj(r.result) &&
      Array.isArray(r.result.matrix)
    );
  });
}

/** Picks, per (step, layer), the row over the most runs (then the newest). */
function latestPerSlot(rows: readonly AnalysisRow[]): Map<number, Map<string, AnalysisRow>> {
  const out = new Map<number, Map<string, AnalysisRow>>();
  for (const r of rows) {
    const step = r.step as number;
    const layer = r.layers as string;
    const bySlot = out.get(step) ?? new Map<string, AnalysisRow>();
    const cur = bySlot.get(layer);
    if (
      !cur ||
      r.runIds.length > cur.runIds.length ||
      (r.runIds.length === cur.runIds.length && r.id > cur.id)
    )
      bySlot.set(layer, r);
    out.set(step, bySlot);
  }
  return out;
}

/** A row's matrix re-indexed onto `index` (runs outside the index are dropped). */
export function toRunMatrix(row: AnalysisRow, index: RunIndex): PairMatrix {
  const n = index.runIds.length;
  const m: (number | null)[][] = Array.from({ length: n }, () =>
    new Array<number | null>(n).fill(null),
  );
  const src = (row.result as JsonObject).matrix as Json[];
  row.runIds.forEach((a, i) => {
    const pa = index.pos.get(a);
    if (pa === undefined) return;
    const srcRow = src[i];
    if (!Array.isArray(srcRow)) return;
    row.runIds.forEach((b, j) => {
      const pb = index.pos.get(b);
      const v = srcRow[j];
      if (pb !== undefined && typeof v === 'number' && Number.isFinite(v)) m[pa][pb] = v;
    });
  });
  return m;
}

/** Every stored model × model matrix of `measure` for the experiment, by step and layer. */
export function measureMatrices(
  store: Pick<Store, 'analyses'>,
  experimentId: number,
  measure: string,
  index: RunIndex,
): MeasureMatrices {
  const rows = modelMatrixRows(store.analyses.list({ experimentId, kind: measure }));
  const out: MeasureMatrices = new Map();
  for (const [step, bySlot] of latestPerSlot(rows)) {
    const layers = new Map<string, PairMatrix>();
    for (const layer of sortLayers(bySlot.keys()))
      layers.set(layer, toRunMatrix(bySlot.get(layer)!, index));
    out.set(step, layers);
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

export interface StoredOutcomeHomogenization {
  step: number;
  value: number | null;
  k: number;
  errorRates: (number | null)[];
  allFail: number | null;
  runIds: number[];
}

/** The outcome-homogenization rows of an experiment (newest per step), by step. */
export function outcomeHomogenizationRows(
  store: Pick<Store, 'analyses'>,
  experimentId: number,
): Map<number, StoredOutcomeHomogenization> {
  const out = new Map<number, StoredOutcomeHomogenization>();
  const num = (v: Json | undefined): number | null => (typeof v === 'number' ? v : null);
  for (const r of store.analyses.list({ experimentId, kind: 'outcome-homogenization' })) {
    if (r.step === null || !isObj(r.result)) continue;
    const cur = out.get(r.step);
    if (cur && cur.runIds.length > r.runIds.length) continue;
    const res = r.result;
    out.set(r.step, {
      step: r.step,
      value: num(res.value),
      k: num(res.k) ?? r.runIds.length,
      errorRates: Array.isArray(res.errorRates) ? res.errorRates.map((v) => num(v)) : [],
      allFail: num(res.allFail),
      runIds: r.runIds,
    });
  }
  return out;
}
