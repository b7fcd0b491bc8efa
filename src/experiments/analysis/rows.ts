/**
 * The one module that writes and reads stored analysis rows. Every other part of the lab —
 * the analysis producers, the studies, the experiment comparison and the API's similarity
 * views — goes through the typed writer and readers here, so a row's shape and the order of
 * layers are defined once.
 *
 * A stored analysis (db table `analyses`) is: `kind` = the measure id, `runIds` = the runs it
 * covers (matrix axis order), `step` = the checkpoint step (null for per-run series),
 * `layers` = a layer name, 'output' or 'weights' (null for layer × layer rows), `params` =
 * `{ view, key, probe, probeSize, contextLength, maxTokens, options }` and `result`:
 *
 * | view           | rows per group             | result                                             |
 * | -------------- | -------------------------- | -------------------------------------------------- |
 * | `model-matrix` | one per layer              | `{ matrix, warnings }` (outputs and weights: see below) |
 * | `layer-matrix` | one per run pair           | `{ layersA, layersB, matrix, warnings }`            |
 * | `vs-final`     | one per run and layer      | `{ value, finalStep }`, runIds `[run, run]`          |
 * | `run`          | one per run (step null)    | the run's weight trajectory                          |
 * | `models`       | one per group              | per-run vectors (`held-out`: exactMatch, tokenAccuracy, logLikelihood) |
 *
 * Output measures are `model-matrix` rows at layer 'output' (`loss-difference` adds
 * `meanAbsolute` and `losses`; `outcome-homogenization` is `{ value, k, errorRates, allFail }`
 * over all runs); `spectra` and `aligned-weights` are `model-matrix` rows at layer 'weights'.
 * Every row of one group (kind × view × step × runs × options) shares `params.key` and is
 * written in one transaction, so one row present means the whole group is. Matrices hold null
 * where a value is undefined (NaN) or not applicable.
 */
import type { Store } from '../../../db/store';
import type { AnalysisRow, Json, JsonObject } from '../../../db/types';

/** JSON cannot hold NaN or ±Infinity: undefined values are stored as null. */
export type Cell = number | null;

/** `models`: one value per run of the group (e.g. held-out scores), in runIds order. */
export type AnalysisView = 'model-matrix' | 'layer-matrix' | 'vs-final' | 'run' | 'models';

/** Pseudo-layers: output measures and weight measures have no network layer. */
export const OUTPUT_LAYER = 'output';
export const WEIGHTS_LAYER = 'weights';

export type AnalysisRowsStore = Pick<Store, 'analyses' | 'transaction'>;
type Reader = Pick<Store, 'analyses'>;

// ---- layer order ---------------------------------------------------------------------------

/**
 * Network order: the embedding, blocks by index, the final norm, then anything else by name,
 * then the pseudo-layers 'weights' and 'output'.
 */
export function layerRank(layer: string): number {
  if (layer === 'embed') return -1;
  if (layer === 'final_norm') return 1e9;
  if (layer === WEIGHTS_LAYER) return 2e9;
  if (layer === OUTPUT_LAYER) return 3e9;
  const block = /^blocks\.(\d+)$/.exec(layer);
  return block ? Number(block[1]) : 1e8;
}

export function sortLayers(layers: Iterable<string>): string[] {
  return [...new Set(layers)].sort((a, b) => layerRank(a) - layerRank(b) || a.localeCompare(b));
}

/** True for a network layer (not 'output' / 'weights'). */
export const isNetworkLayer = (layer: string): boolean =>
  layer !== OUTPUT_LAYER && layer !== WEIGHTS_LAYER;

// ---- typed results ---------------------------------------------------------------------------

export interface ModelMatrixResult {
  matrix: Cell[][];
  warnings?: string[];
}

export interface LayerMatrixResult {
  layersA: string[];
  layersB: string[];
  matrix: Cell[][];
  warnings?: string[];
}

export interface VsFinalResult {
  value: Cell;
  finalStep: number;
}

export interface HomogenizationResult {
  value: Cell;
  k: number;
  errorRates: Cell[];
  allFail: Cell;
}

/** A row as the readers hand it out: the db row plus its view and typed result. */
export interface StoredAnalysis<R = JsonObject> {
  id: number;
  kind: string;
  view: AnalysisView;
  runIds: number[];
  step: number | null;
  layer: string | null;
  result: R;
}

const isObj = (v: Json | undefined): v is JsonObject =>
  !!v && typeof v === 'object' && !Array.isArray(v);
const num = (v: Json | undefined): Cell => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function viewOf(row: AnalysisRow): AnalysisView | null {
  const v = isObj(row.params) ? row.params.view : undefined;
  // Rows written before views were recorded are model matrices.
  if (v === undefined) return 'model-matrix';
  return v === 'model-matrix' ||
    v === 'layer-matrix' ||
    v === 'vs-final' ||
    v === 'run' ||
    v === 'models'
    ? v
    : null;
}

function stored(row: AnalysisRow): StoredAnalysis | null {
  const view = viewOf(row);
  if (!view || !isObj(row.result)) return null;
  return {
    id: row.id,
    kind: row.kind,
    view,
    runIds: row.runIds,
    step: row.step,
    layer: typeof row.layers === 'string' ? row.layers : null,
    result: row.result,
  };
}

function matrixOf(v: Json | undefined): Cell[][] | null {
  if (!Array.isArray(v)) return null;
  return v.map((row) => (Array.isArray(row) ? row.map((x) => num(x)) : []));
}

// ---- the writer ------------------------------------------------------------------------------

/** What every row of one analysis run records about how it was computed. */
export interface ProbeParams {
  probe: string;
  probeSize: number;
  contextLength: number;
  maxTokens: number;
}

export interface GroupRow {
  runIds: number[];
  layers: Json;
  result: Json;
}

/**
 * Writes analysis groups of one experiment: each group's rows in one transaction under its
 * key, skipped when the key is already stored.
 */
export class AnalysisWriter {
  private readonly keys: Set<string>;
  /** Rows written by this writer. */
  created = 0;

  constructor(
    private readonly store: AnalysisRowsStore,
    private readonly experimentId: number,
    private readonly probe: ProbeParams,
  ) {
    this.keys = new Set(
      store.analyses
        .list({ experimentId })
        .map((a) => (isObj(a.params) ? a.params.key : undefined))
        .filter((k): k is string => typeof k === 'string'),
    );
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Writes the group's rows (all or none) unless `key` is stored; returns rows written. */
  writeGroup(
    key: string,
    g: { kind: string; view: AnalysisView; step: number | null; options: Json },
    rows: readonly GroupRow[],
  ): number {
    if (this.keys.has(key)) return 0;
    this.store.transaction(() => {
      for (const r of rows)
        this.store.analyses.create({
          experimentId: this.experimentId,
          kind: g.kind,
          runIds: r.runIds,
          step: g.step,
          layers: r.layers,
          params: { view: g.view, ...this.probe, options: g.options, key },
          result: r.result,
        });
    });
    this.keys.add(key);
    this.created += rows.length;
    return rows.length;
  }
}

// ---- readers ---------------------------------------------------------------------------------

/** Every stored analysis of the experiment (optionally one kind / view), typed. */
export function listAnalyses(
  store: Reader,
  experimentId: number,
  filter: { kind?: string; view?: AnalysisView } = {},
): StoredAnalysis[] {
  const out: StoredAnalysis[] = [];
  for (const row of store.analyses.list({ experimentId, kind: filter.kind })) {
    const s = stored(row);
    if (s && (!filter.view || s.view === filter.view)) out.push(s);
  }
  return out;
}

const sameIds = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** A model × model matrix with the runs on its axes. */
export interface RunsMatrix {
  runIds: number[];
  matrix: Cell[][];
  warnings: string[];
}

/**
 * The model × model matrices of `kind`, by step and layer. With `runIds`, only rows over
 * exactly those runs (in that order); otherwise, where several rows cover one (step, layer)
 * — e.g. analysed again with more runs — the one over the most runs, then the newest, wins.
 */
export function modelMatrices(
  store: Reader,
  experimentId: number,
  kind: string,
  select: { runIds?: readonly number[]; step?: number } = {},
): Map<number, Map<string, RunsMatrix>> {
  const best = new Map<number, Map<string, StoredAnalysis>>();
  for (const r of listAnalyses(store, experimentId, { kind, view: 'model-matrix' })) {
    if (r.step === null || r.layer === null || !matrixOf(r.result.matrix)) continue;
    if (select.step !== undefined && r.step !== select.step) continue;
    if (select.runIds && !sameIds(r.runIds, select.runIds)) continue;
    const bySlot = best.get(r.step) ?? new Map<string, StoredAnalysis>();
    const cur = bySlot.get(r.layer);
    if (
      !cur ||
      r.runIds.length > cur.runIds.length ||
      (r.runIds.length === cur.runIds.length && r.id > cur.id)
    )
      bySlot.set(r.layer, r);
    best.set(r.step, bySlot);
  }
  const out = new Map<number, Map<string, RunsMatrix>>();
  for (const step of [...best.keys()].sort((a, b) => a - b)) {
    const bySlot = best.get(step)!;
    const layers = new Map<string, RunsMatrix>();
    for (const layer of sortLayers(bySlot.keys())) {
      const r = bySlot.get(layer)!;
      layers.set(layer, {
        runIds: r.runIds,
        matrix: matrixOf(r.result.matrix)!,
        warnings: Array.isArray(r.result.warnings) ? r.result.warnings.map(String) : [],
      });
    }
    out.set(step, layers);
  }
  return out;
}

/** One model × model matrix over exactly `runIds`; throws, naming what is missing, if absent. */
export function modelMatrix(
  store: Reader,
  experimentId: number,
  kind: string,
  step: number,
  runIds: readonly number[],
  layer: string,
): Cell[][] {
  const m = modelMatrices(store, experimentId, kind, { runIds, step }).get(step)?.get(layer);
  if (!m)
    throw new Error(
      `no stored '${kind}' analysis at step ${step}, layer ${layer} for runs ${runIds.join(',')}`,
    );
  return m.matrix;
}

/** The network layers (in model order) with a model × model matrix of `kind` over `runIds`. */
export function storedLayers(
  store: Reader,
  experimentId: number,
  kind: string,
  step: number,
  runIds: readonly number[],
): string[] {
  const layers = modelMatrices(store, experimentId, kind, { runIds, step }).get(step);
  return layers ? [...layers.keys()].filter(isNetworkLayer) : [];
}

/** A matrix re-indexed onto `runIds` (runs outside it dropped, missing pairs null). */
export function reindex(m: RunsMatrix, runIds: readonly number[]): Cell[][] {
  const pos = new Map(runIds.map((id, i) => [id, i]));
  const n = runIds.length;
  const out: Cell[][] = Array.from({ length: n }, () => new Array<Cell>(n).fill(null));
  m.runIds.forEach((a, i) => {
    const pa = pos.get(a);
    if (pa === undefined) return;
    m.runIds.forEach((b, j) => {
      const pb = pos.get(b);
      const v = m.matrix[i]?.[j];
      if (pb !== undefined && v !== null && v !== undefined) out[pa][pb] = v;
    });
  });
  return out;
}

export interface StoredLayerMatrix {
  runIds: [number, number];
  step: number;
  layersA: string[];
  layersB: string[];
  matrix: Cell[][];
}

/** Layer × layer matrices of `kind` (one per run pair), optionally at one step / among runs. */
export function layerMatrices(
  store: Reader,
  experimentId: number,
  kind: string,
  select: { step?: number; runIds?: readonly number[] } = {},
): StoredLayerMatrix[] {
  const want = select.runIds ? new Set(select.runIds) : null;
  const out: StoredLayerMatrix[] = [];
  for (const r of listAnalyses(store, experimentId, { kind, view: 'layer-matrix' })) {
    if (r.step === null || r.runIds.length !== 2) continue;
    if (select.step !== undefined && r.step !== select.step) continue;
    if (want && !r.runIds.every((id) => want.has(id))) continue;
    const m = layerMatrixOf(r);
    if (m) out.push({ runIds: [r.runIds[0], r.runIds[1]], step: r.step, ...m });
  }
  return out;
}

export interface StoredVsFinal {
  runId: number;
  step: number;
  layer: string;
  value: number;
  finalStep: number;
}

/** Each run at its earlier checkpoints against its own final checkpoint, per layer. */
export function vsFinalValues(store: Reader, experimentId: number, kind: string): StoredVsFinal[] {
  const out: StoredVsFinal[] = [];
  for (const r of listAnalyses(store, experimentId, { kind, view: 'vs-final' })) {
    const value = num(r.result.value);
    const finalStep = num(r.result.finalStep);
    if (r.step === null || r.layer === null || value === null || finalStep === null) continue;
    out.push({ runId: r.runIds[0], step: r.step, layer: r.layer, value, finalStep });
  }
  return out;
}

export interface StoredHomogenization extends HomogenizationResult {
  step: number;
  runIds: number[];
}

/**
 * Outcome homogenization by step: over exactly `runIds` when given, else the row over the
 * most runs (then the newest) per step.
 */
export function homogenizationByStep(
  store: Reader,
  experimentId: number,
  select: { runIds?: readonly number[] } = {},
): Map<number, StoredHomogenization> {
  const out = new Map<number, StoredHomogenization & { id: number }>();
  for (const r of listAnalyses(store, experimentId, {
    kind: 'outcome-homogenization',
    view: 'model-matrix',
  })) {
    if (r.step === null) continue;
    if (select.runIds && !sameIds(r.runIds, select.runIds)) continue;
    const cur = out.get(r.step);
    if (
      cur &&
      (cur.runIds.length > r.runIds.length ||
        (cur.runIds.length === r.runIds.length && cur.id > r.id))
    )
      continue;
    out.set(r.step, {
      id: r.id,
      step: r.step,
      runIds: r.runIds,
      value: num(r.result.value),
      k: num(r.result.k) ?? r.runIds.length,
      errorRates: Array.isArray(r.result.errorRates) ? r.result.errorRates.map((v) => num(v)) : [],
      allFail: num(r.result.allFail),
    });
  }
  return new Map([...out].map(([s, { id: _id, ...h }]) => [s, h]));
}

/** Outcome homogenization over exactly `runIds` at `step`; throws if absent. */
export function homogenization(
  store: Reader,
  experimentId: number,
  step: number,
  runIds: readonly number[],
): StoredHomogenization {
  const h = homogenizationByStep(store, experimentId, { runIds }).get(step);
  if (!h)
    throw new Error(
      `no stored outcome-homogenization at step ${step} for runs ${runIds.join(',')}`,
    );
  return h;
}

/** One run's stored weight trajectory (the newest), or null. */
export function weightTrajectoryOf(
  store: Reader,
  experimentId: number,
  runId: number,
): JsonObject | null {
  const rows = listAnalyses(store, experimentId, { kind: 'weight-trajectory', view: 'run' })
    .filter((r) => r.runIds.length === 1 && r.runIds[0] === runId)
    .sort((a, b) => b.id - a.id);
  return rows[0]?.result ?? null;
}

// ---- pair values for the similarity views ------------------------------------------------------

/**
 * One stored value between two runs (or a run and its own final checkpoint, view 'vs-final')
 * at a layer pair and step.
 */
export interface PairValue {
  measure: string;
  view: 'model-matrix' | 'layer-matrix' | 'vs-final';
  runA: number;
  runB: number;
  layerA: string;
  layerB: string;
  step: number | null;
  value: number;
}

/** One value over a set of runs (not a pair), e.g. outcome homogenization H over k models. */
export interface GroupValue {
  measure: string;
  runIds: number[];
  layer: string;
  step: number | null;
  value: number;
}

export interface PairData {
  pairs: PairValue[];
  groups: GroupValue[];
  measures: string[];
  layers: string[];
  steps: number[];
  runIds: number[];
}

/**
 * Every stored pairwise value of an experiment, flattened for the similarity views: model ×
 * model rows give one value per run pair, layer × layer rows one per layer pair, vs-final rows
 * one per run (runA = runB, marked by their view); k-model values (H) go to `groups`. Weight
 * trajectories are not pairwise and are left out. Each value carries its view: the diagonal of
 * a layer × layer matrix repeats a model × model value, so a view reads its own.
 */
export function pairData(store: Reader, experimentId: number): PairData {
  const pairs: PairValue[] = [];
  const groups: GroupValue[] = [];
  const runIds = new Set<number>();
  for (const r of listAnalyses(store, experimentId)) {
    if (r.view === 'run') continue;
    r.runIds.forEach((id) => runIds.add(id));
    const base = { measure: r.kind, step: r.step };
    if (r.view === 'layer-matrix') {
      const m = layerMatrixOf(r);
      if (!m) continue;
      m.layersA.forEach((a, i) =>
        m.layersB.forEach((b, j) => {
          const v = m.matrix[i]?.[j];
          if (v !== null && v !== undefined)
            pairs.push({
              ...base,
              view: 'layer-matrix',
              runA: r.runIds[0],
              runB: r.runIds[1],
              layerA: a,
              layerB: b,
              value: v,
            });
        }),
      );
      continue;
    }
    const layer = r.layer ?? OUTPUT_LAYER;
    if (r.view === 'vs-final') {
      const v = num(r.result.value);
      if (v !== null)
        pairs.push({
          ...base,
          view: 'vs-final',
          runA: r.runIds[0],
          runB: r.runIds[0],
          layerA: layer,
          layerB: layer,
          value: v,
        });
      continue;
    }
    const matrix = matrixOf(r.result.matrix);
    if (matrix) {
      r.runIds.forEach((a, i) =>
        r.runIds.forEach((b, j) => {
          const v = matrix[i]?.[j];
          if (i < j && v !== null && v !== undefined)
            pairs.push({
              ...base,
              view: 'model-matrix',
              runA: a,
              runB: b,
              layerA: layer,
              layerB: layer,
              value: v,
            });
        }),
      );
      continue;
    }
    const v = num(r.result.value);
    if (v !== null && r.runIds.length > 2)
      groups.push({ ...base, runIds: [...r.runIds], layer, value: v });
  }
  const seen = new Set<string>();
  const unique = pairs.filter((p) => {
    const [a, b, la, lb] =
      p.runA <= p.runB
        ? [p.runA, p.runB, p.layerA, p.layerB]
        : [p.runB, p.runA, p.layerB, p.layerA];
    const key = `${p.measure}|${p.view}|${a}|${b}|${la}|${lb}|${p.step}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    pairs: unique,
    groups,
    measures: [...new Set(unique.map((p) => p.measure))].sort(),
    layers: sortLayers(unique.flatMap((p) => [p.layerA, p.layerB])),
    steps: [...new Set(unique.map((p) => p.step).filter((s): s is number => s !== null))].sort(
      (a, b) => a - b,
    ),
    runIds: [...runIds].sort((a, b) => a - b),
  };
}

function layerMatrixOf(r: StoredAnalysis): Omit<LayerMatrixResult, 'warnings'> | null {
  const matrix = matrixOf(r.result.matrix);
  const la = r.result.layersA;
  const lb = r.result.layersB;
  if (!matrix || !Array.isArray(la) || !Array.isArray(lb) || r.runIds.length !== 2) return null;
  return { layersA: la.map(String), layersB: lb.map(String), matrix };
}
