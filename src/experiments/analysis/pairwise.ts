/**
 * The pairwise tables of the analysis step, from models' probe activations:
 *
 * - model × model per layer, for each representation measure (layers matched by name:
 *   `embed`, `blocks.i`, `final_norm`; a model without that layer gets null entries);
 * - layer × layer per model pair (rows: A's layers, columns: B's), for the layer-matrix
 *   measures (Kornblith et al. 2019's cross-model layer correspondence);
 * - model × model output measures at the scored positions, and outcome homogenization across
 *   all models.
 *
 * Each (model, layer) representation is wrapped once in a `Representation`, whose cached
 * per-side work (centering, Grams, neighbour lists, principal bases) then serves every pair;
 * the heavy N×N caches are released layer by layer.
 */
import { OUTPUT_MEASURE_IDS, type OutputMeasureId } from '../../core/similarity/catalogue';
import type { Matrix } from '../../core/similarity/matrix';
import { rbfCkaPairs } from '../../core/similarity/cka';
import {
  MEASURES,
  measureResult,
  type MeasureName,
  type MeasureOptions,
} from '../../core/similarity/registry';
import { Representation } from '../../core/similarity/representation';
import {
  correctness,
  crossEntropyPerExample,
  meanJensenShannon,
  top1Agreement,
} from '../../core/similarity/outputs';
import { errorConsistency, outcomeHomogenization } from '../../core/similarity/error-consistency';
import type { ModelActivations } from './activations';
import { sortLayers, type Cell } from './rows';

export type { Cell } from './rows';

export interface ModelMatrix {
  matrix: Cell[][];
  warnings: string[];
}

export interface LayerMatrix {
  layersA: string[];
  layersB: string[];
  matrix: Cell[][];
  warnings: string[];
}

/** JSON cannot hold NaN/±Infinity: undefined values are stored as null. */
const cell = (v: number): Cell => (Number.isFinite(v) ? v : null);

/** Layer names in model order (embed, blocks…, final_norm), union over models. */
export function layerNames(acts: readonly ModelActivations[]): string[] {
  return sortLayers(acts.flatMap((a) => [...a.layers.keys()]));
}

export class RepresentationTables {
  private reps: Map<string, Representation>[];
  private memo = new Map<string, { value: number; warnings: string[] }>();

  constructor(
    private readonly acts: readonly ModelActivations[],
    private readonly options: MeasureOptions,
  ) {
    this.reps = acts.map((a) => {
      const m = new Map<string, Representation>();
      for (const [name, x] of a.layers) m.set(name, new Representation(x));
      return m;
    });
  }

  private value(measure: MeasureName, i: number, la: string, j: number, lb: string) {
    const key = this.key(measure, i, la, j, lb);
    let r = this.memo.get(key);
    if (!r) {
      const x = this.reps[i].get(la)!;
      const y = this.reps[j].get(lb)!;
      try {
        const res = MEASURES[measure].compute(x, y, this.options);
        r = { value: res.value, warnings: res.warnings };
      } catch (e) {
        r = { value: NaN, warnings: [(e as Error).message] };
      }
      this.memo.set(key, r);
      this.memo.set(this.key(measure, j, lb, i, la), r); // every registered measure is symmetric
    }
    return r;
  }

  /**
   * Builds the per-representation intermediates that `measures` will need at `layer` in one
   * go: RBF CKA's kernel and mutual k-NN's neighbour lists both come from the same N×N Gram
   * matrix, computed once per model here instead of once per measure. Optional.
   */
  prepare(layer: string, measures: readonly MeasureName[]): void {
    const threshold = measures.includes('rbf-cka') ? (this.options.threshold ?? 0.5) : undefined;
    const k = measures.includes('mutual-knn') ? (this.options.k ?? 10) : undefined;
    if (threshold === undefined && k === undefined) return;
    for (const m of this.reps) {
      const r = m.get(layer);
      if (!r) continue;
      try {
        r.prepare({ threshold, k });
      } catch {
        // Invalid options or inputs: each measure reports its own error when computed.
      }
    }
  }

  /**
   * Fills the memo for every model pair at `layer` with measures that have an all-pairs form
   * (RBF CKA: each model's kernel is read once for all pairs rather than once per pair).
   */
  private allPairs(measure: MeasureName, layer: string): void {
    if (measure !== 'rbf-cka') return;
    const idx = this.reps.flatMap((m, i) => (m.has(layer) ? [i] : []));
    if (
      idx.every((i, a) =>
        idx.slice(a + 1).every((j) => this.memo.has(this.key(measure, i, layer, j, layer))),
      )
    )
      return;
    const reps = idx.map((i) => this.reps[i].get(layer)!);
    const values = rbfCkaPairs(reps, this.options.threshold ?? 0.5);
    idx.forEach((i, a) =>
      idx.forEach((j, b) => {
        if (b <= a) return;
        const v = values[a][b];
        const r =
          v instanceof Error
            ? { value: NaN, warnings: [v.message] }
            : { value: v, warnings: measureResult(measure, reps[a], reps[b], v).warnings };
        this.memo.set(this.key(measure, i, layer, j, layer), r);
        this.memo.set(this.key(measure, j, layer, i, layer), r);
      }),
    );
  }

  private key(measure: MeasureName, i: number, la: string, j: number, lb: string): string {
    return `${measure}|${i}|${la}|${j}|${lb}`;
  }

  /** Model × model at one layer; the diagonal holds the measure's identity value. */
  modelMatrix(measure: MeasureName, layer: string): ModelMatrix {
    const info = MEASURES[measure];
    const n = this.acts.length;
    this.allPairs(measure, layer);
    const warnings = new Set<string>();
    const self = info.direction === 'similarity' ? 1 : 0;
    const matrix: Cell[][] = Array.from({ length: n }, () => new Array<Cell>(n).fill(null));
    for (let i = 0; i < n; i++) {
      if (!this.reps[i].has(layer)) continue;
      matrix[i][i] = self;
      for (let j = i + 1; j < n; j++) {
        if (!this.reps[j].has(layer)) continue;
        const r = this.value(measure, i, layer, j, layer);
        r.warnings.forEach((w) => warnings.add(w));
        matrix[i][j] = matrix[j][i] = cell(r.value);
      }
    }
    return { matrix, warnings: [...warnings] };
  }

  /** Layer × layer between models i and j (rows: i's layers). */
  layerMatrix(measure: MeasureName, i: number, j: number): LayerMatrix {
    const layersA = layerNames([this.acts[i]]);
    const layersB = layerNames([this.acts[j]]);
    const warnings = new Set<string>();
    const matrix = layersA.map((la) =>
      layersB.map((lb) => {
        const r = this.value(measure, i, la, j, lb);
        r.warnings.forEach((w) => warnings.add(w));
        return cell(r.value);
      }),
    );
    return { layersA, layersB, matrix, warnings: [...warnings] };
  }

  /** Frees the cached per-layer intermediates (N×N Grams) of `layer`. */
  release(layer?: string): void {
    for (const m of this.reps)
      for (const [name, r] of m) if (layer === undefined || name === layer) r.release();
  }
}

export const OUTPUT_MEASURES = OUTPUT_MEASURE_IDS;
export type OutputMeasure = OutputMeasureId;

export interface OutputTables {
  'top1-agreement'?: { matrix: Cell[][] };
  jsd?: { matrix: Cell[][] };
  'error-consistency'?: { matrix: Cell[][] };
  /** matrix[i][j] = mean loss of i − mean loss of j; meanAbsolute[i][j] = mean |ℓ_i − ℓ_j|. */
  'loss-difference'?: { matrix: Cell[][]; meanAbsolute: Cell[][]; losses: Cell[] };
  'outcome-homogenization'?: { value: Cell; k: number; errorRates: Cell[]; allFail: Cell };
}

/** Output measures over models with the same vocabulary, at the probe's scored positions. */
export function outputTables(
  logits: readonly Matrix[],
  targets: ArrayLike<number>,
  measures: readonly OutputMeasure[],
): OutputTables {
  const n = logits.length;
  const want = new Set(measures);
  const out: OutputTables = {};
  const correct = logits.map((l) => correctness(l, targets));
  const losses = logits.map((l) => crossEntropyPerExample(l, targets));
  const square = (f: (i: number, j: number) => number, diag: number, symmetric = true) =>
    Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (i === j ? diag : symmetric && j < i ? NaN : f(i, j))),
    );
  const mirror = (m: number[][]): Cell[][] =>
    m.map((row, i) => row.map((v, j) => cell(j < i ? m[j][i] : v)));
  if (want.has('top1-agreement'))
    out['top1-agreement'] = {
      matrix: mirror(square((i, j) => top1Agreement(logits[i], logits[j]), 1)),
    };
  if (want.has('jsd'))
    out.jsd = { matrix: mirror(square((i, j) => meanJensenShannon(logits[i], logits[j]), 0)) };
  if (want.has('error-consistency'))
    out['error-consistency'] = {
      matrix: mirror(square((i, j) => errorConsistency(correct[i], correct[j]), 1)),
    };
  if (want.has('loss-difference')) {
    const mean = losses.map((l) => l.reduce((s, v) => s + v, 0) / Math.max(1, l.length));
    const absDiff = (i: number, j: number) => {
      let s = 0;
      for (let t = 0; t < losses[i].length; t++) s += Math.abs(losses[i][t] - losses[j][t]);
      return s / Math.max(1, losses[i].length);
    };
    out['loss-difference'] = {
      matrix: square((i, j) => mean[i] - mean[j], 0, false).map((r) => r.map(cell)),
      meanAbsolute: mirror(square(absDiff, 0)),
      losses: mean.map(cell),
    };
  }
  if (want.has('outcome-homogenization') && n >= 2) {
    const N = correct[0].length;
    let allFail = 0;
    for (let t = 0; t < N; t++) if (correct.every((c) => c[t] === 0)) allFail++;
    out['outcome-homogenization'] = {
      value: cell(outcomeHomogenization(correct)),
      k: n,
      errorRates: correct.map((c) => cell(1 - c.reduce((s, v) => s + v, 0) / Math.max(1, N))),
      allFail: cell(allFail / Math.max(1, N)),
    };
  }
  return out;
}
