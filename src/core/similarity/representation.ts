/**
 * A representation (N×D activations) with its per-side preprocessing memoised.
 *
 * Why: an analysis compares every model with every other at every layer, so each
 * representation takes part in M−1 comparisons. The expensive per-side work — centering, the
 * RBF Gram matrix (O(N²·D)), neighbour lists (O(N²·D)), principal bases (O(N·D²)) — is done
 * once per representation here, and each pairwise measure then costs only its cross term.
 * Every measure accepts either a plain Matrix or a Representation; passing the same
 * Representation object to many comparisons is what makes the cache pay off.
 *
 * Memory: the RBF Gram and the linear Gram (only built when N < D) are N×N float64 each; call
 * `release()` when a layer is done.
 */
import { crossProduct, freeze, gram } from './kernels';
import { principalBasis, symmetricEigen } from './linalg';
import type { Matrix } from './matrix';
import { centerColumns, scale, sumSquares } from './matrix';
import { medianOfSymmetricZeroDiagonal } from './select';

export type RepresentationInput = Matrix | Representation;

export class Representation {
  readonly raw: Matrix;
  private cache = new Map<string, unknown>();

  constructor(x: Matrix) {
    if (x.data.length !== x.rows * x.cols)
      throw new Error(`representation: ${x.data.length} values for shape ${x.rows}×${x.cols}`);
    if (x.cols < 1) throw new Error('representation: no columns');
    for (let i = 0; i < x.data.length; i++)
      if (!Number.isFinite(x.data[i]))
        throw new Error(`representation: non-finite value at flat index ${i}`);
    this.raw = x;
  }

  get rows(): number {
    return this.raw.rows;
  }

  get cols(): number {
    return this.raw.cols;
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /** Drops every cached intermediate (the N×N ones can be large). */
  release(): void {
    this.cache.clear();
  }

  /** Column-centered copy (H·X). */
  centered(): Matrix {
    return this.memo('centered', () => freeze(centerColumns(this.raw)));
  }

  /** ‖x_i − mean‖² per example. */
  rowSquaredNorms(): Float64Array {
    return this.memo('rowNorms', () => {
      const c = this.centered();
      const out = new Float64Array(c.rows);
      for (let i = 0; i < c.rows; i++) {
        let s = 0;
        for (let j = 0; j < c.cols; j++) s += c.data[i * c.cols + j] ** 2;
        out[i] = s;
      }
      return out;
    });
  }

  /** The centered linear Gram matrix H·X·Xᵀ·H (N×N). */
  linearGram(): Float64Array {
    return this.memo('linearGram', () => gram(this.centered()).data);
  }

  /** ‖XᵀX‖²_F = ‖XXᵀ‖²_F of the centered data, by the cheaper route. */
  selfProduct(): number {
    return this.memo('selfProduct', () =>
      this.cols <= this.rows ? sumSquares(this.covariance().data) : sumSquares(this.linearGram()),
    );
  }

  /** XᵀX of the centered data (D×D, unnormalised covariance). */
  covariance(): Matrix {
    return this.memo('covariance', () => crossProduct(this.centered(), this.centered()));
  }

  /** Centered copy scaled to unit Frobenius norm (Procrustes preprocessing). */
  unitFrobenius(): Matrix {
    return this.memo('unitFrobenius', () => {
      const c = this.centered();
      const norm = Math.sqrt(sumSquares(c.data));
      if (!(norm > 0))
        throw new Error('Procrustes: the representation is constant (zero variance)');
      return freeze(scale(c, 1 / norm));
    });
  }

  /** The double-centered RBF Gram matrix, σ² = threshold² × median squared distance. */
  rbfGram(threshold: number): Float64Array {
    return this.memo(`rbf:${threshold}`, () =>
      centeredRbfGramOf(this.linearGram(), this.rows, threshold),
    );
  }

  /** ‖H·K·H‖²_F of the RBF Gram (the self term of RBF CKA). */
  rbfSelf(threshold: number): number {
    return this.memo(`rbfSelf:${threshold}`, () =>
      symmetricInner(this.rbfGram(threshold), this.rbfGram(threshold), this.rows),
    );
  }

  /** k nearest neighbours by cosine similarity, self excluded, N×k indices. */
  neighbours(k: number): Int32Array {
    return this.memo(`knn:${k}`, () => nearestNeighboursOf(this.cosineRows(), this.rows, k));
  }

  /**
   * Cosine similarities between the raw (uncentered) rows, produced one row at a time (no N×N
   * buffer). Derived in O(N²) from the centered Gram, G_ij = Gc_ij + xc_i·μ + xc_j·μ + μ·μ, so
   * one O(N²·D) product serves RBF CKA, linear CKA (when N < D) and the neighbour lists.
   */
  cosineRows(): (i: number, out: Float64Array) => void {
    const n = this.rows;
    const d = this.cols;
    const gc = this.linearGram();
    const xc = this.centered();
    const mu = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += this.raw.data[i * d + j];
    for (let j = 0; j < d; j++) mu[j] /= n;
    const a = new Float64Array(n);
    let mm = 0;
    for (let j = 0; j < d; j++) mm += mu[j] * mu[j];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += xc.data[i * d + j] * mu[j];
      a[i] = s;
    }
    const norm = new Float64Array(n);
    let meanSq = 0;
    for (let i = 0; i < n; i++) meanSq += Math.max(0, gc[i * n + i] + 2 * a[i] + mm) / n;
    for (let i = 0; i < n; i++) {
      const sq = gc[i * n + i] + 2 * a[i] + mm;
      // A (numerically) zero row has no direction: all its similarities are 0.
      norm[i] = sq > 1e-24 * meanSq && sq > 0 ? 1 / Math.sqrt(sq) : 0;
    }
    return (i, out) => {
      const o = i * n;
      const ai = a[i] + mm;
      const ni = norm[i];
      for (let j = 0; j < n; j++) out[j] = (gc[o + j] + ai + a[j]) * ni * norm[j];
    };
  }

  /** Orthonormal principal basis keeping `varianceKept` of the variance (1 = full rank). */
  principal(varianceKept: number): ReturnType<typeof principalBasis> {
    return this.memo(`basis:${varianceKept}`, () => {
      const eigen = this.memo('covEigen', () => symmetricEigen(this.covariance()));
      const b = principalBasis(this.centered(), varianceKept, eigen);
      freeze(b.u);
      return b;
    });
  }
}

export function asRepresentation(x: RepresentationInput): Representation {
  return x instanceof Representation ? x : new Representation(x);
}

/** Throws a clear error unless both have the same examples (rows), at least `minRows`. */
export function checkPaired(
  x: RepresentationInput,
  y: RepresentationInput,
  what: string,
  minRows = 2,
): [Representation, Representation] {
  const a = asRepresentation(x);
  const b = asRepresentation(y);
  if (a.rows !== b.rows)
    throw new Error(
      `${what}: X has ${a.rows} rows and Y has ${b.rows}; rows are examples and must be paired`,
    );
  if (a.rows < minRows)
    throw new Error(`${what}: needs at least ${minRows} examples, got ${a.rows}`);
  return [a, b];
}

/** Σ_ij A_ij·B_ij for symmetric N×N A, B, reading only the upper triangle. */
export function symmetricInner(a: Float64Array, b: Float64Array, n: number): number {
  let diag = 0;
  let off = 0;
  for (let i = 0; i < n; i++) {
    const o = i * n;
    diag += a[o + i] * b[o + i];
    for (let j = i + 1; j < n; j++) off += a[o + j] * b[o + j];
  }
  return diag + 2 * off;
}

/**
 * H·K·H for the RBF kernel, from the centered linear Gram g; see cka.ts for the bandwidth
 * rule. Only the upper triangle (diagonal included) is filled: every consumer reads it through
 * `symmetricInner`, and skipping the lower half avoids strided writes over an N×N buffer.
 */
function centeredRbfGramOf(g: Float64Array, n: number, threshold: number): Float64Array {
  if (!(threshold > 0)) throw new Error(`RBF CKA: threshold must be > 0, got ${threshold}`);
  const k = new Float64Array(n * n);
  const upper = new Float64Array((n * (n - 1)) / 2);
  const diag = new Float64Array(n); // contiguous copy: g[j·n + j] in the loop would be strided
  for (let i = 0; i < n; i++) diag[i] = g[i * n + i];
  let u = 0;
  for (let i = 0; i < n; i++) {
    const o = i * n;
    const gii = diag[i];
    for (let j = i + 1; j < n; j++) {
      const d = Math.max(0, gii + diag[j] - 2 * g[o + j]);
      k[o + j] = d;
      upper[u++] = d;
    }
  }
  const median = medianOfSymmetricZeroDiagonal(upper, n);
  if (!(median > 0))
    throw new Error('RBF CKA: the median pairwise distance is 0 (mostly duplicate rows)');
  const inv = -1 / (2 * threshold * threshold * median);
  // exp on the upper triangle, accumulating row sums of the full symmetric matrix.
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    k[o + i] = 1; // exp(0)
    let s = 1;
    for (let j = i + 1; j < n; j++) {
      const e = Math.exp(k[o + j] * inv);
      k[o + j] = e;
      s += e;
      mean[j] += e;
    }
    mean[i] += s;
  }
  let grand = 0;
  for (let i = 0; i < n; i++) {
    grand += mean[i];
    mean[i] /= n;
  }
  grand /= n * n;
  // Double centering K − row means − column means + grand mean, upper triangle.
  for (let i = 0; i < n; i++) {
    const o = i * n;
    const c = grand - mean[i];
    for (let j = i; j < n; j++) k[o + j] += c - mean[j];
  }
  return k;
}

/** k most cosine-similar other rows of m, ties to the lower index; see mutual-knn.ts. */
function nearestNeighboursOf(
  simRow: (i: number, out: Float64Array) => void,
  n: number,
  k: number,
): Int32Array {
  if (!Number.isInteger(k) || k < 1 || k >= n)
    throw new Error(`mutual k-NN: k must be an integer in [1, N−1] = [1, ${n - 1}], got ${k}`);
  const out = new Int32Array(n * k);
  // Per row: keep a small sorted list of the best k (insertion); k ≪ N.
  const bestVal = new Float64Array(k);
  const bestIdx = new Int32Array(k);
  const sim = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let size = 0;
    simRow(i, sim);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const v = sim[j];
      if (size === k && !(v > bestVal[k - 1])) continue; // ties keep the lower index
      let p = size < k ? size++ : k - 1;
      while (p > 0 && v > bestVal[p - 1]) {
        bestVal[p] = bestVal[p - 1];
        bestIdx[p] = bestIdx[p - 1];
        p--;
      }
      bestVal[p] = v;
      bestIdx[p] = j;
    }
    out.set(bestIdx, i * k);
  }
  return out;
}
