/**
 * The weight measures of the analysis step, from checkpoint weights:
 *
 * - `spectra`: permutation-invariant spectra of every model and the model × model mean
 *   relative distance between them (any shapes; entries present in both are compared);
 * - `aligned-weights`: for every pair of runs with the same model config, Git Re-Basin weight
 *   matching, the aligned relative distance and cosine, the naive (unaligned) ones, and the
 *   loss barrier along linear interpolation, aligned and naive, on the probe rows;
 * - `weight-trajectory` (per run, all its checkpoints): distance and cosine to the init
 *   (re-created from the init seed) and to the final checkpoint.
 */
import type { Batch } from '../../core/data/types';
import type { ModelConfig } from '../../core/model/config';
import {
  alignModels,
  barrierOf,
  DEFAULT_ALPHAS,
  modelLosses,
  modelSpectra,
  spectraDistance,
  interpolateWeights,
  type ModelSpectra,
  type ModelWeights,
} from '../../core/similarity/model';
import type { Cell } from './pairwise';

const cell = (v: number): Cell => (Number.isFinite(v) ? v : null);
const round = (xs: number[]) => xs.map((x) => Number(x.toPrecision(6)));

export interface SpectraTable {
  /** Mean relative spectrum distance (0 = same spectra). */
  matrix: Cell[][];
  spectra: ModelSpectra[];
}

export function spectraTable(
  models: readonly { config: ModelConfig; weights: ModelWeights }[],
): SpectraTable {
  const spectra = models.map((m) => modelSpectra(m.config, m.weights));
  for (const s of spectra) {
    for (const k of Object.keys(s.matrices)) s.matrices[k] = round(s.matrices[k]);
    for (const kind of ['qk', 'ov'] as const)
      for (const k of Object.keys(s[kind])) s[kind][k] = s[kind][k].map(round);
  }
  const n = models.length;
  const matrix: Cell[][] = Array.from({ length: n }, () => new Array<Cell>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      matrix[i][j] = matrix[j][i] = cell(spectraDistance(spectra[i], spectra[j]).mean);
  return { matrix, spectra };
}

export interface AlignedTable {
  /** Aligned relative distance ‖θ_A − π(θ_B)‖ / √(‖θ_A‖‖θ_B‖); null for different configs. */
  matrix: Cell[][];
  alignedCosine: Cell[][];
  /** The naive baseline: raw relative distance and cosine, no matching. */
  naiveDistance: Cell[][];
  naiveCosine: Cell[][];
  /** Cosine over the 2-D weight matrices only (no norm gains or biases), aligned and naive. */
  matrixCosine: Cell[][];
  naiveMatrixCosine: Cell[][];
  /** Loss barrier along θ(α) with π(θ_B) (aligned) and θ_B (naive). */
  barrier: Cell[][];
  naiveBarrier: Cell[][];
  /** Per pair "i-j" (indices into runIds): the loss curves. */
  curves: Record<string, { alphas: number[]; aligned: number[]; naive: number[] }>;
  notes: string[];
}

export interface AlignedOptions {
  alphas?: number[];
  onPair?: (done: number, total: number) => void;
}

/** Matching, distances and barriers for every same-config pair (see the file comment). */
export async function alignedTable(
  models: readonly { config: ModelConfig; weights: ModelWeights }[],
  batch: Batch,
  opts: AlignedOptions = {},
): Promise<AlignedTable> {
  const n = models.length;
  const grid = () =>
    Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j): Cell => (i === j ? 0 : null)),
    );
  const t: AlignedTable = {
    matrix: grid(),
    alignedCosine: grid(),
    naiveDistance: grid(),
    naiveCosine: grid(),
    matrixCosine: grid(),
    naiveMatrixCosine: grid(),
    barrier: grid(),
    naiveBarrier: grid(),
    curves: {},
    notes: [],
  };
  for (let i = 0; i < n; i++)
    t.alignedCosine[i][i] =
      t.naiveCosine[i][i] =
      t.matrixCosine[i][i] =
      t.naiveMatrixCosine[i][i] =
        1;
  const alphas = opts.alphas ?? DEFAULT_ALPHAS;
  const key = (c: ModelConfig) => JSON.stringify(c);
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (key(models[i].config) === key(models[j].config)) pairs.push([i, j]);
  const notes = new Set<string>();
  let done = 0;
  for (const [i, j] of pairs) {
    const { config } = models[i];
    const a = models[i].weights;
    const b = models[j].weights;
    const r = alignModels(config, a, b);
    r.match.notes.forEach((x) => notes.add(x));
    if (!r.match.converged) notes.add(`matching ${i}-${j} stopped after ${r.match.passes} passes`);
    t.matrix[i][j] = t.matrix[j][i] = cell(r.aligned.relativeDistance);
    t.alignedCosine[i][j] = t.alignedCosine[j][i] = cell(r.aligned.cosine);
    t.naiveDistance[i][j] = t.naiveDistance[j][i] = cell(r.naive.relativeDistance);
    t.naiveCosine[i][j] = t.naiveCosine[j][i] = cell(r.naive.cosine);
    t.matrixCosine[i][j] = t.matrixCosine[j][i] = cell(r.matrices.aligned.cosine);
    t.naiveMatrixCosine[i][j] = t.naiveMatrixCosine[j][i] = cell(r.matrices.naive.cosine);
    // Both curves in one stacked evaluation: A, B, π(B) and the interior points of each.
    const inner = alphas.filter((x) => x > 0 && x < 1);
    const evalModels = [
      a,
      b,
      r.alignedB,
      ...inner.map((x) => interpolateWeights(a, r.alignedB, x)),
      ...inner.map((x) => interpolateWeights(a, b, x)),
    ];
    const L = await modelLosses(config, evalModels, batch, 16);
    const m = inner.length;
    const aligned = [L[0], ...L.slice(3, 3 + m), L[2]];
    const naive = [L[0], ...L.slice(3 + m, 3 + 2 * m), L[1]];
    const full = [0, ...inner, 1];
    const ba = barrierOf(full, aligned);
    const bn = barrierOf(full, naive);
    t.barrier[i][j] = t.barrier[j][i] = cell(ba.barrier);
    t.naiveBarrier[i][j] = t.naiveBarrier[j][i] = cell(bn.barrier);
    t.curves[`${i}-${j}`] = { alphas: full, aligned: round(aligned), naive: round(naive) };
    opts.onPair?.(++done, pairs.length);
  }
  if (pairs.length < (n * (n - 1)) / 2)
    notes.add('pairs of runs with different model configs are not matched (null)');
  t.notes = [...notes];
  return t;
}
