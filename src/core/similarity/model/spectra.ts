/**
 * Permutation-invariant weight summaries, comparable across runs without matching:
 *
 * - the singular values of every weight matrix (invariant to orthogonal maps on either side,
 *   hence to every permutation of permutation.ts);
 * - per head, the singular values of W_Q^h·W_K^hᵀ (the bilinear form behind the attention
 *   scores) and of W_V^h·W_O^h (the head's output circuit) — invariant also to any invertible
 *   map inside the head (W_Q→W_Q·M, W_K→W_K·M⁻ᵀ), which plain per-matrix spectra are not.
 *   Biases are left out (they are not part of these bilinear forms).
 *
 * `spectraDistance` compares two models' summaries: for each matrix (and each layer's heads,
 * sorted by their top singular value so head order does not matter) the relative L2 distance
 * between the descending spectra, ‖σ_A − σ_B‖ / √(‖σ_A‖·‖σ_B‖), then the mean over entries.
 */
import type { ModelConfig } from '../../model/config';
import type { Matrix } from '../matrix';
import { ovSpectrum, qkSpectrum, singularValues, splitHeads } from '../weights';
import type { ModelWeights } from './model-weights';

export interface ModelSpectra {
  /** Singular values (descending) of every 2-D parameter, by name. */
  matrices: Record<string, number[]>;
  /** Per layer (`blocks.i`), per head: singular values of W_Q^h·W_K^hᵀ (head size values). */
  qk: Record<string, number[][]>;
  /** Per layer, per head: singular values of W_V^h·W_O^h. */
  ov: Record<string, number[][]>;
}

function toMatrix(t: { shape: number[]; data: Float32Array }): Matrix {
  return { rows: t.shape[0], cols: t.shape[1], data: Float64Array.from(t.data) };
}

/** Spectra of one model (cost: one SVD per matrix, O(d·hd²) per head). */
export function modelSpectra(config: ModelConfig, w: ModelWeights): ModelSpectra {
  const matrices: ModelSpectra['matrices'] = {};
  for (const [name, t] of Object.entries(w))
    if (t.shape.length === 2) matrices[name] = Array.from(singularValues(toMatrix(t)));
  const qk: ModelSpectra['qk'] = {};
  const ov: ModelSpectra['ov'] = {};
  const H = config.nHeads;
  for (let l = 0; l < config.nLayers; l++) {
    const p = `blocks.${l}.attn`;
    const q = splitHeads(toMatrix(w[`${p}.wq`]), H, 'cols');
    const k = splitHeads(toMatrix(w[`${p}.wk`]), H, 'cols');
    const v = splitHeads(toMatrix(w[`${p}.wv`]), H, 'cols');
    const o = splitHeads(toMatrix(w[`${p}.wo`]), H, 'rows');
    qk[`blocks.${l}`] = q.map((qh, h) => Array.from(qkSpectrum(qh, k[h])));
    ov[`blocks.${l}`] = v.map((vh, h) => Array.from(ovSpectrum(vh, o[h])));
  }
  return { matrices, qk, ov };
}

/** ‖a − b‖ / √(‖a‖·‖b‖) of two descending spectra (shorter one padded with zeros). */
export function spectrumDistance(a: readonly number[], b: readonly number[]): number {
  let dd = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dd += (x - y) ** 2;
    aa += x * x;
    bb += y * y;
  }
  const den = Math.sqrt(Math.sqrt(aa * bb));
  return den > 0 ? Math.sqrt(dd) / den : dd === 0 ? 0 : NaN;
}

/** Heads of a layer as one sorted list of spectra (by top singular value), order-free. */
function sortedHeads(heads: number[][]): number[][] {
  return [...heads].sort((x, y) => (y[0] ?? 0) - (x[0] ?? 0));
}

export interface SpectraComparison {
  /** Mean of every entry below. */
  mean: number;
  matrices: Record<string, number>;
  qk: Record<string, number>;
  ov: Record<string, number>;
}

/** Compares two models' spectra entry by entry (entries present in both). */
export function spectraDistance(a: ModelSpectra, b: ModelSpectra): SpectraComparison {
  const out: SpectraComparison = { mean: NaN, matrices: {}, qk: {}, ov: {} };
  const all: number[] = [];
  for (const [name, s] of Object.entries(a.matrices))
    if (b.matrices[name]) all.push((out.matrices[name] = spectrumDistance(s, b.matrices[name])));
  for (const kind of ['qk', 'ov'] as const)
    for (const [layer, heads] of Object.entries(a[kind])) {
      const other = b[kind][layer];
      if (!other || other.length !== heads.length) continue;
      const x = sortedHeads(heads);
      const y = sortedHeads(other);
      const ds = x.map((h, i) => spectrumDistance(h, y[i]));
      all.push((out[kind][layer] = ds.reduce((s, v) => s + v, 0) / ds.length));
    }
  out.mean = all.length ? all.reduce((s, v) => s + v, 0) / all.length : NaN;
  return out;
}
