/**
 * Weight-space helpers that need no model structure. Cross-run comparisons with these are the
 * *naive baseline*: neuron permutations and per-head invertible maps change weights without
 * changing the function (see DESIGN.md "Similarity, done right"); they are meaningful within a
 * run (distance to init / to final) or after permutation matching (`assignment.ts`).
 *
 * - flat distance / cosine: all parameters concatenated in a fixed key order. Cost O(P).
 * - singular value spectra: invariant to orthogonal maps on either side, hence to permutations
 *   of neurons, which makes them comparable across runs without matching.
 * - per-head W_Q·W_Kᵀ and W_V·W_O spectra: a head's attention pattern depends on W_Q^h·W_K^hᵀ
 *   and its output on W_V^h·W_O^h only, both invariant to any invertible map M inside the head
 *   (W_Q→W_Q·M, W_K→W_K·M⁻ᵀ); their spectra are further invariant to residual-stream rotations.
 *   Row-vector convention (y = x·W, tfjs kernels are [in, out]): W_Q^h, W_K^h, W_V^h are the
 *   head's d_model×d_head column slices, W_O^h its d_head×d_model row slice.
 */
import { singularValuesOf } from './linalg';
import type { Matrix } from './matrix';
import { transpose } from './matrix';
import { QrDecomposition, Matrix as MlMatrix } from 'ml-matrix';

/** Named parameter arrays, e.g. `{ 'block0/attn/wq': Float32Array, … }`. */
export type WeightMap = Readonly<Record<string, ArrayLike<number>>>;

function pairedKeys(a: WeightMap, b: WeightMap): string[] {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i]))
    throw new Error(
      `weights: parameter names differ (${ka
        .filter((k) => !(k in b))
        .concat(kb.filter((k) => !(k in a)))
        .join(', ')})`,
    );
  for (const k of ka)
    if (a[k].length !== b[k].length)
      throw new Error(`weights: '${k}' has ${a[k].length} vs ${b[k].length} values`);
  return ka;
}

export interface FlatComparison {
  /** ‖a − b‖₂ over all parameters. */
  distance: number;
  /** ⟨a, b⟩ / (‖a‖‖b‖) over all parameters (NaN when either is all zeros). */
  cosine: number;
  /** ‖a‖₂ and ‖b‖₂, for relative distances. */
  normA: number;
  normB: number;
}

/** Euclidean distance and cosine between two weight maps with the same names and sizes. */
export function compareFlat(a: WeightMap, b: WeightMap): FlatComparison {
  let dd = 0;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (const k of pairedKeys(a, b)) {
    const x = a[k];
    const y = b[k];
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      dd += d * d;
      ab += x[i] * y[i];
      aa += x[i] * x[i];
      bb += y[i] * y[i];
    }
  }
  const den = Math.sqrt(aa * bb);
  return {
    distance: Math.sqrt(dd),
    cosine: den > 0 ? ab / den : NaN,
    normA: Math.sqrt(aa),
    normB: Math.sqrt(bb),
  };
}

/** ‖a − b‖₂ over all parameters. */
export function flatDistance(a: WeightMap, b: WeightMap): number {
  return compareFlat(a, b).distance;
}

/** Cosine similarity of the flattened parameter vectors. */
export function flatCosine(a: WeightMap, b: WeightMap): number {
  return compareFlat(a, b).cosine;
}

/** Singular values of a weight matrix, descending. Cost O(m·n·min(m, n)). */
export function singularValues(m: Matrix): Float64Array {
  return singularValuesOf(m);
}

/** R of a thin QR (k×k upper triangle) of a tall m×k matrix. */
function qrR(m: Matrix): Matrix {
  const ml = new MlMatrix(m.rows, m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) ml.set(i, j, m.data[i * m.cols + j]);
  const r = new QrDecomposition(ml).upperTriangularMatrix;
  const k = m.cols;
  const data = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) data[i * k + j] = r.get(i, j);
  return { rows: k, cols: k, data };
}

/**
 * Singular values of A·Bᵀ for tall A, B (d×h, h ≤ d) without forming the d×d product:
 * with A = Q_A·R_A and B = Q_B·R_B, σ(A·Bᵀ) = σ(R_A·R_Bᵀ), an h×h problem. Returns h values.
 */
export function lowRankProductSpectrum(a: Matrix, b: Matrix): Float64Array {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new Error(`spectrum: factor shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} differ`);
  if (a.cols > a.rows) return singularValuesOf(multiplyABt(a, b));
  const ra = qrR(a);
  const rb = qrR(b);
  return singularValuesOf(multiplyABt(ra, rb));
}

function multiplyABt(a: Matrix, b: Matrix): Matrix {
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let c = 0; c < a.cols; c++) s += a.data[i * a.cols + c] * b.data[j * b.cols + c];
      out[i * b.rows + j] = s;
    }
  return { rows: a.rows, cols: b.rows, data: out };
}

/** Spectrum of one head's bilinear attention form W_Q^h·W_K^hᵀ (both d_model×d_head). */
export function qkSpectrum(wqHead: Matrix, wkHead: Matrix): Float64Array {
  return lowRankProductSpectrum(wqHead, wkHead);
}

/** Spectrum of one head's output circuit W_V^h·W_O^h (d_model×d_head and d_head×d_model). */
export function ovSpectrum(wvHead: Matrix, woHead: Matrix): Float64Array {
  return lowRankProductSpectrum(wvHead, transpose(woHead));
}

/**
 * The per-head slices of a projection: axis 'cols' splits a d_model×(H·d_head) kernel
 * (W_Q, W_K, W_V) into H column blocks; axis 'rows' splits an (H·d_head)×d_model kernel (W_O)
 * into H row blocks.
 */
export function splitHeads(w: Matrix, heads: number, axis: 'cols' | 'rows'): Matrix[] {
  const width = axis === 'cols' ? w.cols : w.rows;
  if (!Number.isInteger(heads) || heads < 1 || width % heads !== 0)
    throw new Error(`splitHeads: ${width} is not divisible into ${heads} heads`);
  const dh = width / heads;
  const out: Matrix[] = [];
  for (let h = 0; h < heads; h++) {
    if (axis === 'rows') {
      out.push({
        rows: dh,
        cols: w.cols,
        data: w.data.slice(h * dh * w.cols, (h + 1) * dh * w.cols),
      });
    } else {
      const data = new Float64Array(w.rows * dh);
      for (let i = 0; i < w.rows; i++)
        for (let c = 0; c < dh; c++) data[i * dh + c] = w.data[i * w.cols + h * dh + c];
      out.push({ rows: w.rows, cols: dh, data });
    }
  }
  return out;
}
