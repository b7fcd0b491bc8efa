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
 * The RBF kernel and the neighbour lists both derive from the N×N Gram matrix of the rows,
 * which is never stored (gram-derived.ts); `prepare` builds both from one Gram when both will be
 * needed. Memory: the RBF kernel is a packed N(N+1)/2 float64 triangle from a buffer pool, the
 * linear Gram (only built when N < D) N×N; call `release()` when a layer is done, which also
 * hands the kernel's buffer back to the pool for the next layer.
 */
import {
  centeredKernel,
  checkK,
  checkThreshold,
  gramProducts,
  releaseRbf,
  type RbfKernel,
  type RbfValues,
} from './gram-derived';
import { centeredCrossProduct, centeredCrossSumSquares, freeze, gram } from './kernels';
import { principalBasis, symmetricEigen } from './linalg';
import type { Matrix } from './matrix';
import { centerColumns, scale, sumSquares, transpose } from './matrix';

export type RepresentationInput = Matrix | Representation;

/**
 * Column sums, four rows per sweep (a quarter of the loads and stores of the sums; ~2× faster
 * here on a 4096×512 input). The means are columnMeans(x) up to rounding; every product of a
 * Representation uses these, so they all see the same values.
 */
function columnSums(x: Matrix): Float64Array {
  const { rows, cols, data } = x;
  const sums = new Float64Array(cols);
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const o = i * cols;
    for (let j = 0; j < cols; j++)
      sums[j] +=
        data[o + j] + data[o + cols + j] + (data[o + 2 * cols + j] + data[o + 3 * cols + j]);
  }
  for (; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) sums[j] += data[o + j];
  }
  return sums;
}

/** Products with at least this many entries are reduced to ‖·‖²_F without materialising them. */
const LARGE_PRODUCT = 1 << 16;

export class Representation {
  readonly raw: Matrix;
  private cache = new Map<string, unknown>();
  /** crossCentered results by the other side (weak: a pair's product dies with either side). */
  private crosses = new WeakMap<Representation, Matrix>();
  /** crossSumSquares results by the other side. */
  private crossSums = new WeakMap<Representation, number>();

  constructor(x: Matrix) {
    if (x.data.length !== x.rows * x.cols)
      throw new Error(`representation: ${x.data.length} values for shape ${x.rows}×${x.cols}`);
    if (x.cols < 1) throw new Error('representation: no columns');
    // One pass for the validation and the column means (each pass over a large N×D input costs
    // milliseconds): a NaN or ±Infinity anywhere makes its column's sum non-finite, and only
    // then are the values scanned one by one (finite values can overflow a sum, too).
    const sums = columnSums(x);
    if (!sums.every(Number.isFinite))
      for (let i = 0; i < x.data.length; i++)
        if (!Number.isFinite(x.data[i]))
          throw new Error(`representation: non-finite value at flat index ${i}`);
    for (let j = 0; j < sums.length; j++) sums[j] /= x.rows;
    this.cache.set('means', sums);
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
    for (const [key, v] of this.cache) if (key.startsWith('rbf:')) releaseRbf(v as RbfKernel);
    this.cache.clear();
    this.crosses = new WeakMap();
    this.crossSums = new WeakMap();
  }

  /**
   * Builds, from a single Gram matrix, whichever of the RBF kernel (for `threshold`) and the
   * neighbour lists (for `k`) are not cached yet. Optional: each is otherwise built on first
   * use, at the cost of one Gram computation each.
   */
  prepare(want: { threshold?: number; k?: number }): void {
    const todo: { threshold?: number; k?: number } = {};
    if (want.threshold !== undefined && !this.cache.has(`rbf:${want.threshold}`))
      todo.threshold = want.threshold;
    if (want.k !== undefined && !this.cache.has(`knn:${want.k}`)) todo.k = want.k;
    if (todo.threshold === undefined && todo.k === undefined) return;
    const p = gramProducts(this.raw, this.centered(), todo);
    if (p.rbf) this.cache.set(`rbf:${todo.threshold}`, p.rbf);
    if (p.neighbours) this.cache.set(`knn:${todo.k}`, p.neighbours);
  }

  /**
   * The RBF kernel K = exp(−‖x_i − x_j‖²/(2σ²)), σ² = threshold² × the median squared distance,
   * as a packed upper triangle (packed.ts) with its row sums and centered self term (see
   * gram-derived.ts for how HSIC follows without centering K). Owned by this representation:
   * valid until `release()`.
   */
  rbfKernel(threshold: number): RbfValues {
    checkThreshold(threshold);
    this.prepare({ threshold });
    const k = this.cache.get(`rbf:${threshold}`) as RbfKernel;
    if ('error' in k) throw k.error;
    return k;
  }

  /** Column means of the raw data. */
  means(): Float64Array {
    return this.memo('means', () => {
      const sums = columnSums(this.raw);
      for (let j = 0; j < sums.length; j++) sums[j] /= this.rows;
      return sums;
    });
  }

  /** Column-centered copy (H·X). */
  centered(): Matrix {
    return this.memo('centered', () => freeze(centerColumns(this.raw, this.means())));
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
      this.cols <= this.rows ? this.crossSumSquares(this) : sumSquares(this.linearGram()),
    );
  }

  /** ‖H·X‖_F, the Frobenius norm of the centered data. */
  centeredNorm(): number {
    return this.memo('centeredNorm', () => Math.sqrt(sumSquares(this.centered().data)));
  }

  /**
   * XcᵀYc for the centered data of this and `other` (D1×D2), memoised per pair on both sides:
   * linear CKA, debiased CKA and Procrustes all start from this product, so a pair computes it
   * once for the three.
   */
  crossCentered(other: Representation): Matrix {
    if (other === this) return this.covariance();
    let m = this.crosses.get(other);
    if (!m) {
      const t = other.crosses.get(this);
      // From the raw data and the means: the kernel centers while packing its operands, so
      // no N×D centered copy is made (for large N×D, allocating one costs more than the copy).
      m = t
        ? transpose(t)
        : centeredCrossProduct(this.raw, this.means(), other.raw, other.means(), true);
      this.crosses.set(other, m);
    }
    return m;
  }

  /**
   * ‖XcᵀYc‖²_F, memoised per pair: linear and debiased CKA need only this number. Taken from the
   * memoised product when there is one; for large products (D1·D2 ≥ 65,536) computed without
   * allocating the D1×D2 matrix, whose fresh pages cost several milliseconds (a later Procrustes
   * distance then forms the product once more, a small part of its SVD). Equal, bit for bit, to
   * `sumSquares(this.crossCentered(other).data)`.
   */
  crossSumSquares(other: Representation): number {
    let s = this.crossSums.get(other) ?? other.crossSums.get(this);
    if (s === undefined) {
      const known = other === this ? this.cache.has('covariance') : this.crosses.has(other);
      if (known || this.cols * other.cols < LARGE_PRODUCT)
        s = sumSquares(this.crossCentered(other).data);
      else s = centeredCrossSumSquares(this.raw, this.means(), other.raw, other.means(), true);
      this.crossSums.set(other, s);
    }
    return s;
  }

  /** XᵀX of the centered data (D×D, unnormalised covariance). */
  covariance(): Matrix {
    return this.memo('covariance', () =>
      centeredCrossProduct(this.raw, this.means(), this.raw, this.means(), true),
    );
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

  /**
   * The double-centered RBF kernel H·K·H as an N×N row-major matrix (only the upper triangle
   * and diagonal are guaranteed) — a fresh N×N copy, for callers that want the square layout.
   */
  rbfGram(threshold: number): Float64Array {
    return centeredKernel(this.rbfKernel(threshold));
  }

  /** ‖H·K·H‖²_F of the RBF kernel (the self term of RBF CKA). */
  rbfSelf(threshold: number): number {
    return this.rbfKernel(threshold).self;
  }

  /** k nearest neighbours by cosine similarity, self excluded, N×k indices. */
  neighbours(k: number): Int32Array {
    checkK(k, this.rows);
    this.prepare({ k });
    return this.cache.get(`knn:${k}`) as Int32Array;
  }

  /**
   * Cosine similarities between the raw (uncentered) rows, produced one row at a time, from
   * the cached centered linear Gram: G_ij = Gc_ij + xc_i·μ + xc_j·μ + μ·μ. (The neighbour lists
   * use the same formula without keeping any N×N matrix; see gram-derived.ts.)
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
