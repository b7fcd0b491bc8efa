/**
 * The per-representation products of RBF CKA and mutual k-NN, both derived from the Gram
 * matrix of the centered rows — computed once and consumed in one pass, never stored.
 *
 * - RBF CKA: squared distances d_ij = g_ii + g_jj − 2g_ij (translation invariant, so from the
 *   centered Gram, which has less cancellation than the raw one); σ² = threshold² × the median
 *   of all N² distances (diagonal zeros included, as Kornblith et al.'s `gram_rbf`); the
 *   kernel K = exp(−d/(2σ²)) double-centered, H·K·H. Kept as a packed upper triangle
 *   (packed.ts) in a pooled buffer (pool.ts), with its squared Frobenius norm.
 * - Mutual k-NN: cosine similarities of the raw rows, G_ij = Gc_ij + xc_i·μ + xc_j·μ + μ·μ, and
 *   each row's k most similar other rows (ties to the lower index), kept as N×k indices.
 *
 * Why one pass: the Gram is the O(N²·D) part; everything else is O(N²) and memory-bound, so the
 * costs that matter are extra N×N buffers and extra sweeps over them. The Gram lives in the
 * kernel's scratch memory (kernels.ts `withUpperGram`); the distances are written straight
 * into the buffer that ends up holding the centered kernel; the median comes from a radix
 * histogram (select.ts) instead of sorting a copy.
 */
import { expNonPositive } from './exp';
import { withUpperGram } from './kernels';
import type { Matrix } from './matrix';
import { packedLength } from './packed';
import { giveBuffer, takeBuffer } from './pool';
import { LITTLE_ENDIAN, medianOfPackedSymmetric, RADIX_BUCKETS } from './select';

/**
 * An RBF kernel K (uncentered), with what its centered form H·K·H needs: with k = K·1,
 *   ⟨HKH, HLH⟩ = ⟨K, L⟩ − (2/N)·kᵀl + (1ᵀk)(1ᵀl)/N²,
 * so centering never needs a sweep over the N² values of its own. In float64 the cancellation
 * in that sum costs a few digits at most (|HKH| is a sizeable part of |K| for a kernel whose
 * bandwidth follows the median distance); values agree with explicit centering to ~1e-13.
 */
export interface RbfValues {
  /** K, packed upper triangle with the diagonal; a pooled buffer (see `releaseRbf`). */
  packed: Float64Array;
  /** Row sums K·1. */
  rowSums: Float64Array;
  /** 1ᵀK1. */
  total: number;
  /** ‖H·K·H‖²_F. */
  self: number;
}

/** An RBF kernel, or why it is undefined. */
export type RbfKernel = RbfValues | { error: Error };

/** ⟨H·K·H, H·L·H⟩ (the biased HSIC numerator of RBF CKA, times N²) from ⟨K, L⟩. */
export function centeredInner(kl: number, a: RbfValues, b: RbfValues): number {
  const n = a.rowSums.length;
  let kdl = 0;
  for (let i = 0; i < n; i++) kdl += a.rowSums[i] * b.rowSums[i];
  return kl - (2 / n) * kdl + (a.total * b.total) / (n * n);
}

/** The double-centered kernel H·K·H as a full N×N row-major matrix (tests, export). */
export function centeredKernel(k: RbfValues): Float64Array {
  const n = k.rowSums.length;
  const out = new Float64Array(n * n);
  const grand = k.total / (n * n);
  for (let i = 0, o = 0; i < n; o += n - i, i++)
    for (let j = i; j < n; j++) {
      const v = k.packed[o + j - i] - k.rowSums[i] / n - k.rowSums[j] / n + grand;
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  return out;
}

export interface GramProducts {
  rbf?: RbfKernel;
  /** N×k neighbour indices, row i's most similar first. */
  neighbours?: Int32Array;
}

/** Returns a kernel's buffer to the pool; the kernel must not be used afterwards. */
export function releaseRbf(k: RbfKernel): void {
  if ('packed' in k) giveBuffer(k.packed);
}

export function checkThreshold(threshold: number): void {
  if (!(threshold > 0)) throw new Error(`RBF CKA: threshold must be > 0, got ${threshold}`);
}

export function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 1 || k >= n)
    throw new Error(`mutual k-NN: k must be an integer in [1, N−1] = [1, ${n - 1}], got ${k}`);
}

/**
 * The RBF kernel (for `threshold`) and/or the neighbour lists (for `k`) of the representation
 * with raw rows `raw` and column-centered rows `xc`, from one Gram computation.
 */
export function gramProducts(
  raw: Matrix,
  xc: Matrix,
  want: { threshold?: number; k?: number },
): GramProducts {
  const n = raw.rows;
  if (want.threshold !== undefined) checkThreshold(want.threshold);
  if (want.k !== undefined) checkK(want.k, n);
  if (want.threshold === undefined && want.k === undefined) return {};
  const packed = want.threshold !== undefined ? takeBuffer(packedLength(n)) : undefined;
  // Radix histogram of the distances for the median (select.ts), built while writing them.
  const hist = packed && LITTLE_ENDIAN ? new Int32Array(RADIX_BUCKETS) : undefined;
  let neighbours: Int32Array | undefined;
  withUpperGram(xc, (g, stride) => {
    const diag = new Float64Array(n); // contiguous copy: g[j·stride + j] would be strided
    for (let i = 0; i < n; i++) diag[i] = g[i * stride + i];
    const knn = want.k !== undefined ? new TopK(n, want.k) : undefined;
    const cos = knn ? cosineTerms(raw, xc, diag) : undefined;
    if (packed && !knn) distancesInto(g, stride, diag, packed, hist);
    else if (packed && knn && cos) distancesAndNeighbours(g, stride, diag, packed, hist, knn, cos);
    else if (knn && cos) neighboursOnly(g, stride, knn, cos);
    neighbours = knn?.indices();
  });
  const out: GramProducts = {};
  if (neighbours) out.neighbours = neighbours;
  if (packed) {
    try {
      out.rbf = kernelInPlace(packed, n, want.threshold!, hist);
    } catch (e) {
      giveBuffer(packed);
      out.rbf = { error: e as Error };
    }
  }
  return out;
}

/** The upper 32-bit words of a float64 array's values (at odd indices; little-endian). */
const highWords = (a: Float64Array): Uint32Array =>
  new Uint32Array(a.buffer, a.byteOffset, a.length * 2);

/**
 * Packed squared distances from the upper-triangle Gram (clamped at +0 against rounding), and
 * their radix histogram (select.ts) into `hist`, built in the same sweep: each extra sweep over
 * the N(N+1)/2 values costs several milliseconds of memory traffic.
 */
function distancesInto(
  g: Float64Array,
  stride: number,
  diag: Float64Array,
  out: Float64Array,
  hist: Int32Array | undefined,
): void {
  const n = diag.length;
  const hi = highWords(out);
  const h = hist ?? new Int32Array(RADIX_BUCKETS); // (unused when the platform is big-endian)
  let p = 0;
  for (let i = 0; i < n; i++) {
    const o = i * stride;
    const gii = diag[i];
    out[p] = 0;
    h[0]++;
    p++;
    for (let j = i + 1; j < n; j++) {
      const d = gii + diag[j] - 2 * g[o + j];
      out[p] = d > 0 ? d : 0;
      h[hi[2 * p + 1] >>> 16]++;
      p++;
    }
  }
}

/**
 * The cosine similarity of rows i and j is (g_ij + ((a_i + a_j) + mm))·(norm_i·norm_j): every
 * operation commutes, so it is bit-for-bit symmetric in i and j, and exact duplicates of a row
 * tie exactly (then the lower index wins) wherever they sit relative to it.
 */
interface CosineTerms {
  a: Float64Array;
  mm: number;
  norm: Float64Array;
}

/** The terms turning the centered Gram into cosine similarities of the raw rows. */
function cosineTerms(raw: Matrix, xc: Matrix, diag: Float64Array): CosineTerms {
  const n = raw.rows;
  const d = raw.cols;
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += raw.data[i * d + j];
  for (let j = 0; j < d; j++) mu[j] /= n;
  let mm = 0;
  for (let j = 0; j < d; j++) mm += mu[j] * mu[j];
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += xc.data[i * d + j] * mu[j];
    a[i] = s;
  }
  const norm = new Float64Array(n);
  let meanSq = 0;
  for (let i = 0; i < n; i++) meanSq += Math.max(0, diag[i] + 2 * a[i] + mm) / n;
  for (let i = 0; i < n; i++) {
    const sq = diag[i] + 2 * a[i] + mm;
    // A (numerically) zero row has no direction: all its similarities are 0.
    norm[i] = sq > 1e-24 * meanSq && sq > 0 ? 1 / Math.sqrt(sq) : 0;
  }
  return { a, mm, norm };
}

/**
 * Each row's k largest similarities seen so far, sorted descending. Candidates must arrive in
 * increasing index order per row; then a strict comparison keeps the lower index on ties.
 */
class TopK {
  private readonly val: Float64Array;
  private readonly idx: Int32Array;
  private readonly size: Int32Array;
  /** Smallest kept value of a full row, −∞ while it has fewer than k. */
  readonly worst: Float64Array;

  constructor(
    n: number,
    private readonly k: number,
  ) {
    this.val = new Float64Array(n * k);
    this.idx = new Int32Array(n * k);
    this.size = new Int32Array(n);
    this.worst = new Float64Array(n).fill(-Infinity);
  }

  /** Offers candidate j with similarity v to row r (call only when v > worst[r]). */
  offer(r: number, j: number, v: number): void {
    const k = this.k;
    const base = r * k;
    const full = this.size[r] === k;
    let p = full ? k - 1 : this.size[r]++;
    while (p > 0 && v > this.val[base + p - 1]) {
      this.val[base + p] = this.val[base + p - 1];
      this.idx[base + p] = this.idx[base + p - 1];
      p--;
    }
    this.val[base + p] = v;
    this.idx[base + p] = j;
    if (full || this.size[r] === k) this.worst[r] = this.val[base + k - 1];
  }

  indices(): Int32Array {
    return this.idx;
  }
}

/*
 * Row r's candidates arrive in increasing index order: every i < r while row i is swept (in
 * increasing i), then its own j > r. Each similarity is computed once and offered to both rows,
 * so row i and row j see exactly the same value.
 */

function neighboursOnly(g: Float64Array, stride: number, knn: TopK, c: CosineTerms): void {
  const n = c.a.length;
  const { a, mm, norm } = c;
  const worst = knn.worst;
  for (let i = 0; i < n; i++) {
    const o = i * stride;
    const ai = a[i];
    const ni = norm[i];
    for (let j = i + 1; j < n; j++) {
      const v = (g[o + j] + (ai + a[j] + mm)) * (ni * norm[j]);
      if (v > worst[i]) knn.offer(i, j, v);
      if (v > worst[j]) knn.offer(j, i, v);
    }
  }
}

function distancesAndNeighbours(
  g: Float64Array,
  stride: number,
  diag: Float64Array,
  out: Float64Array,
  hist: Int32Array | undefined,
  knn: TopK,
  c: CosineTerms,
): void {
  const n = diag.length;
  const { a, mm, norm } = c;
  const worst = knn.worst;
  const hi = highWords(out);
  const h = hist ?? new Int32Array(RADIX_BUCKETS);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const o = i * stride;
    const gii = diag[i];
    const ai = a[i];
    const ni = norm[i];
    out[p] = 0;
    h[0]++;
    p++;
    for (let j = i + 1; j < n; j++) {
      const gij = g[o + j];
      const d = gii + diag[j] - 2 * gij;
      out[p] = d > 0 ? d : 0;
      h[hi[2 * p + 1] >>> 16]++;
      p++;
      const v = (gij + (ai + a[j] + mm)) * (ni * norm[j]);
      if (v > worst[i]) knn.offer(i, j, v);
      if (v > worst[j]) knn.offer(j, i, v);
    }
  }
}

/**
 * Turns packed squared distances into the RBF kernel K = exp(−d/(2σ²)), in place, with its row
 * sums and centered self term. Throws when the median distance is 0 (mostly duplicate rows).
 */
function kernelInPlace(
  p: Float64Array,
  n: number,
  threshold: number,
  hist: Int32Array | undefined,
): RbfValues {
  const median = medianOfPackedSymmetric(p, n, hist);
  if (!(median > 0))
    throw new Error('RBF CKA: the median pairwise distance is 0 (mostly duplicate rows)');
  const inv = -1 / (2 * threshold * threshold * median);
  // exp on the triangle, accumulating the row sums of the full symmetric matrix and ‖K‖².
  const rowSums = new Float64Array(n);
  let offSq = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    p[q++] = 1; // exp(0)
    let s = 1;
    for (let j = i + 1; j < n; j++) {
      const e = expNonPositive(p[q] * inv);
      p[q++] = e;
      s += e;
      offSq += e * e;
      rowSums[j] += e;
    }
    rowSums[i] += s;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += rowSums[i];
  const k: RbfValues = { packed: p, rowSums, total, self: 0 };
  k.self = centeredInner(n + 2 * offSq, k, k); // ‖K‖²: the diagonal holds n ones
  return k;
}
