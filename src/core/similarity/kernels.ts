/**
 * The float64 products behind every representation measure: AᵀB (feature space) and AAᵀ
 * (Gram matrices).
 *
 * Where WebAssembly SIMD is available (Node, current browsers) both run in kernels-wasm.ts: AᵀB
 * in an outer-product kernel on packed operands (no transposed copies; centering fused into the
 * packing), AAᵀ in a row-dot-product kernel, each on up to 4 threads in Node (kernel-pool.ts,
 * bit-for-bit the same results for any thread count). This file holds the dispatch and the
 * portable JS fallback: all dot products between the rows of two row-major arrays (AᵀB on
 * transposed copies). Why that shape: V8 compiles scalar float64 JS, so speed comes only from
 * register tiling (a 3×4 tile keeps 12 accumulators plus 7 operands in the 16 SSE registers,
 * loading 7 values per 12 multiply-adds) and from k-blocking (a 1024-long slice of each row
 * stays in L2 while the tile sweeps the other operand). Measured here at ~1.9 GFLOP/s, about
 * 3× a naive triple loop; results are bit-for-bit independent of the tiling except for the
 * order of partial sums. The kernels differ in summation order only (~1e-15 relative).
 */
import { wasmCrossProduct, wasmCrossSumSquares, wasmRowDots, wasmUpperGram } from './kernels-wasm';
export {
  kernelPoolReady,
  kernelPoolWorkerItems,
  kernelThreads,
  setKernelThreads,
  wasmKernelAvailable,
} from './kernels-wasm';
import type { Matrix } from './matrix';
import { centerColumns, sumSquares, transpose } from './matrix';
import { giveBuffer, takeBuffer } from './pool';

const K_BLOCK = 1024;

/** Below this many multiply-adds the copy into wasm memory is not worth it. */
const WASM_MIN_WORK = 1 << 15;

export type KernelChoice = 'auto' | 'js';
let choice: KernelChoice = 'auto';

/**
 * 'auto' (default): the WebAssembly SIMD kernel (kernels-wasm.ts) where available, else JS;
 * 'js': always the scalar JS kernel (for tests and benchmarks of the fallback).
 */
export function setKernel(c: KernelChoice): void {
  choice = c;
}

/**
 * out[i·nb + j] = Σ_k a[i·len + k] · b[j·len + k] for i < na, j < nb.
 * With `symmetric` (a === b, na === nb) only tiles touching the upper triangle are computed
 * and the lower triangle is mirrored, halving the work.
 */
export function rowDots(
  a: Float64Array,
  na: number,
  b: Float64Array,
  nb: number,
  len: number,
  symmetric = false,
): Float64Array {
  if (choice === 'auto' && na * nb * len >= WASM_MIN_WORK) {
    const w = wasmRowDots(a, na, b, nb, len, symmetric);
    if (w) {
      if (symmetric) mirrorUpper(w, na);
      return w;
    }
  }
  const c = new Float64Array(na * nb);
  jsRowDots(a, na, b, nb, len, symmetric, c);
  if (symmetric) mirrorUpper(c, na);
  return c;
}

/**
 * Calls `use` with the Gram matrix of x's rows, G = X·Xᵀ, upper triangle and diagonal filled:
 * G[i][j] = data[i·stride + j] for i ≤ j (the lower triangle is undefined). The buffer is
 * scratch — the wasm kernel's memory or a pooled array (pool.ts) — valid only inside `use`,
 * which must not call any kernel itself. Avoids allocating (and page-faulting) an N×N matrix
 * per representation.
 */
export function withUpperGram<T>(x: Matrix, use: (data: Float64Array, stride: number) => T): T {
  const n = x.rows;
  if (choice === 'auto' && n * n * x.cols >= WASM_MIN_WORK) {
    const w = wasmUpperGram(x.data, n, x.cols);
    if (w) return use(w.data, w.stride);
  }
  const c = takeBuffer(n * n);
  try {
    c.fill(0);
    jsRowDots(x.data, n, x.data, n, x.cols, true, c);
    return use(c, n);
  } finally {
    giveBuffer(c);
  }
}

/** The JS kernel: c[i·nb + j] += rows' dot products (c zeroed by the caller); no mirroring. */
function jsRowDots(
  a: Float64Array,
  na: number,
  b: Float64Array,
  nb: number,
  len: number,
  symmetric: boolean,
  c: Float64Array,
): void {
  for (let k0 = 0; k0 < len; k0 += K_BLOCK) {
    const k1 = Math.min(len, k0 + K_BLOCK);
    let i = 0;
    for (; i + 3 <= na; i += 3) {
      const a0 = i * len;
      const a1 = a0 + len;
      const a2 = a1 + len;
      let j = symmetric ? i - (i % 4) : 0;
      for (; j + 4 <= nb; j += 4) {
        const b0 = j * len;
        const b1 = b0 + len;
        const b2 = b1 + len;
        const b3 = b2 + len;
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0,
          s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0,
          s20 = 0,
          s21 = 0,
          s22 = 0,
          s23 = 0;
        for (let k = k0; k < k1; k++) {
          const y0 = b[b0 + k];
          const y1 = b[b1 + k];
          const y2 = b[b2 + k];
          const y3 = b[b3 + k];
          let x = a[a0 + k];
          s00 += x * y0;
          s01 += x * y1;
          s02 += x * y2;
          s03 += x * y3;
          x = a[a1 + k];
          s10 += x * y0;
          s11 += x * y1;
          s12 += x * y2;
          s13 += x * y3;
          x = a[a2 + k];
          s20 += x * y0;
          s21 += x * y1;
          s22 += x * y2;
          s23 += x * y3;
        }
        let o = i * nb + j;
        c[o] += s00;
        c[o + 1] += s01;
        c[o + 2] += s02;
        c[o + 3] += s03;
        o += nb;
        c[o] += s10;
        c[o + 1] += s11;
        c[o + 2] += s12;
        c[o + 3] += s13;
        o += nb;
        c[o] += s20;
        c[o + 1] += s21;
        c[o + 2] += s22;
        c[o + 3] += s23;
      }
      // Leftover columns (nb not a multiple of 4).
      for (; j < nb; j++) edge(a, b, c, i, 3, j, nb, len, k0, k1);
    }
    // Leftover rows (na not a multiple of 3).
    for (; i < na; i++)
      for (let j = symmetric ? i : 0; j < nb; j++) edge(a, b, c, i, 1, j, nb, len, k0, k1);
  }
}

/** Copies the upper triangle of an n×n row-major matrix onto the lower, in cache-sized tiles. */
export function mirrorUpper(c: Float64Array, n: number): void {
  const B = 64;
  for (let i0 = 0; i0 < n; i0 += B)
    for (let j0 = 0; j0 <= i0; j0 += B) {
      const i1 = Math.min(n, i0 + B);
      const j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) {
        const o = i * n;
        for (let j = j0; j < Math.min(j1, i); j++) c[o + j] = c[j * n + i];
      }
    }
}

function edge(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  i0: number,
  count: number,
  j: number,
  nb: number,
  len: number,
  k0: number,
  k1: number,
): void {
  const bj = j * len;
  for (let i = i0; i < i0 + count; i++) {
    const ai = i * len;
    let s = 0;
    for (let k = k0; k < k1; k++) s += a[ai + k] * b[bj + k];
    c[i * nb + j] += s;
  }
}

/**
 * Matrices known never to change (the memoised intermediates of a Representation): their
 * transposes are kept, so comparing one representation with many transposes it once.
 */
const frozen = new WeakSet<Matrix>();
const transposes = new WeakMap<Matrix, Matrix>();

/** Declares m immutable so crossProduct may cache its transpose. */
export function freeze<M extends Matrix>(m: M): M {
  frozen.add(m);
  return m;
}

function transposed(m: Matrix): Matrix {
  if (!frozen.has(m)) return transpose(m);
  let t = transposes.get(m);
  if (!t) {
    t = transpose(m);
    transposes.set(m, t);
  }
  return t;
}

/** XᵀY, a D1×D2 matrix (cost N·D1·D2 multiply-adds). */
export function crossProduct(x: Matrix, y: Matrix): Matrix {
  return centeredCrossProduct(x, undefined, y, undefined);
}

/**
 * (X − 1·mxᵀ)ᵀ(Y − 1·myᵀ), D1×D2: the product of the column-centered data without a centered
 * copy (the wasm kernel subtracts the means while packing its operands; the values equal
 * `crossProduct(centerColumns(x), centerColumns(y))` bit for bit on the JS route). A missing
 * mean means no centering. Symmetric work is halved when x === y and mx === my. `stable`: the
 * data and the mean arrays never change (a Representation's), so the kernel may reuse its packed
 * copies of them in the next product (linear CKA's XᵀY, XᵀX, YᵀY pack each side once).
 */
export function centeredCrossProduct(
  x: Matrix,
  mx: Float64Array | undefined,
  y: Matrix,
  my: Float64Array | undefined,
  stable = false,
): Matrix {
  if (x.rows !== y.rows) throw new Error(`crossProduct: ${x.rows} vs ${y.rows} rows`);
  const same = x === y && mx === my;
  if (choice === 'auto' && x.rows * x.cols * y.cols >= WASM_MIN_WORK) {
    const w = wasmCrossProduct(x.data, mx, y.data, my, x.rows, x.cols, y.cols, same, stable);
    if (w) {
      if (same) mirrorUpper(w, x.cols);
      return { rows: x.cols, cols: y.cols, data: w };
    }
  }
  if (mx || my) {
    const xc = mx ? centerColumns(x, mx) : x;
    return jsCrossProduct(xc, same ? xc : my ? centerColumns(y, my) : y);
  }
  return jsCrossProduct(x, y);
}

/**
 * ‖(X − 1·mxᵀ)ᵀ(Y − 1·myᵀ)‖²_F, equal bit for bit to `sumSquares` of `centeredCrossProduct`'s
 * data, without allocating the D1×D2 product where the wasm kernel runs (see
 * kernels-wasm.ts `wasmCrossSumSquares`).
 */
export function centeredCrossSumSquares(
  x: Matrix,
  mx: Float64Array | undefined,
  y: Matrix,
  my: Float64Array | undefined,
  stable = false,
): number {
  if (x.rows !== y.rows) throw new Error(`crossProduct: ${x.rows} vs ${y.rows} rows`);
  const same = x === y && mx === my;
  if (choice === 'auto' && x.rows * x.cols * y.cols >= WASM_MIN_WORK) {
    const s = wasmCrossSumSquares(x.data, mx, y.data, my, x.rows, x.cols, y.cols, same, stable);
    if (s !== undefined) return s;
  }
  return sumSquares(centeredCrossProduct(x, mx, y, my, stable).data);
}

function jsCrossProduct(x: Matrix, y: Matrix): Matrix {
  const xt = transposed(x);
  const yt = x === y ? xt : transposed(y);
  const c = new Float64Array(x.cols * y.cols);
  jsRowDots(xt.data, x.cols, yt.data, y.cols, x.rows, x === y, c);
  if (x === y) mirrorUpper(c, x.cols);
  return { rows: x.cols, cols: y.cols, data: c };
}

/** The linear Gram matrix XXᵀ, symmetric N×N (cost N²·D/2). */
export function gram(x: Matrix): Matrix {
  return {
    rows: x.rows,
    cols: x.rows,
    data: rowDots(x.data, x.rows, x.data, x.rows, x.cols, true),
  };
}
