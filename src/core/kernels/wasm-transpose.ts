/**
 * A faster `Transpose` for the wasm backend, written over the heap in TypeScript.
 *
 * tfjs-wasm's own Transpose moves ~50 M elements/s (0.6 ms for a [512, 64] matrix, 1.8 ms for
 * [512, 256], measured here), and a training step transposes every layer's input for its weight
 * gradient (xᵀ·dy) plus the attention heads. A plain loop over the heap moves several hundred
 * million elements/s. Same values, bit for bit (it only moves numbers). Batches of 2-D transposes
 * whose sides are multiples of 4 (the matmul wrapper's [K, N, d] → [K, d, N]) run as 4×4 SIMD
 * block transposes (transpose-simd.wat).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as TRANSPOSE_SIMD from './transpose-simd-wasm';
import type { WasmBackendHandle } from './wasm-simd';
import { simdExports } from './wasm-simd';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/**
 * `shape` and `perm` with unit axes dropped and runs of input-adjacent axes that stay adjacent
 * and in order merged; null when every axis has size 1.
 */
function mergeAxes(shape: number[], perm: number[]): { mShape: number[]; mPerm: number[] } | null {
  const keep = perm.filter((a) => shape[a] !== 1);
  if (keep.length === 0) return null;
  const sortedKept = [...keep].sort((a, b) => a - b);
  const rank = new Map(sortedKept.map((a, i) => [a, i]));
  const s1 = sortedKept.map((a) => shape[a]);
  const p1 = keep.map((a) => rank.get(a)!);
  const groups: number[][] = [];
  for (const a of p1) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1] + 1 === a) g.push(a);
    else groups.push([a]);
  }
  // Merged input shape (groups in input order) and the permutation of the groups.
  const order = [...groups].sort((x, y) => x[0] - y[0]);
  return {
    mShape: order.map((g) => g.reduce((n, a) => n * s1[a], 1)),
    mPerm: groups.map((g) => order.indexOf(g)),
  };
}

/** The transpose as a batch of 2-D ones, [B, R, C] → [B, C, R], or null if it is not one. */
function asBatched2d(shape: number[], perm: number[]): [number, number, number] | null {
  const m = mergeAxes(shape, perm);
  if (!m) return null;
  const r = m.mShape.length;
  if (r === 2) return [1, m.mShape[0], m.mShape[1]];
  if (r === 3 && m.mPerm[0] === 0) return [m.mShape[0], m.mShape[1], m.mShape[2]];
  return null;
}

/**
 * Writes `src` (row-major, `shape`) permuted by `perm` into `dst`. Axes of size 1 are dropped and
 * runs of axes that stay adjacent and in order are merged first, so the common cases become a
 * batch of 2-D transposes, which get a tight loop.
 */
export function transposeInto(
  src: Float32Array,
  dst: Float32Array,
  shape: number[],
  perm: number[],
): void {
  const merged = mergeAxes(shape, perm);
  if (!merged) {
    if (src.length) dst[0] = src[0];
    return;
  }
  const { mShape, mPerm } = merged;
  const r = mShape.length;
  if (r === 1) {
    for (let i = 0; i < mShape[0]; i++) dst[i] = src[i];
    return;
  }
  if (r === 2 || (r === 3 && mPerm[0] === 0)) {
    // Batch of 2-D transposes: [B, R, C] → [B, C, R].
    const B = r === 3 ? mShape[0] : 1;
    transpose2d(src, dst, B, mShape[r - 2], mShape[r - 1]);
    return;
  }
  // General case: walk the output in order with an odometer over the input strides.
  const inStrides = new Array<number>(r);
  inStrides[r - 1] = 1;
  for (let i = r - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * mShape[i + 1];
  const outShape = mPerm.map((a) => mShape[a]);
  const strides = mPerm.map((a) => inStrides[a]);
  const idx = new Array<number>(r).fill(0);
  const inner = outShape[r - 1];
  const innerStride = strides[r - 1];
  const total = outShape.reduce((a, b) => a * b, 1);
  let base = 0;
  for (let o = 0; o < total; o += inner) {
    for (let j = 0; j < inner; j++) dst[o + j] = src[base + j * innerStride];
    // Advance the odometer over the outer axes.
    for (let ax = r - 2; ax >= 0; ax--) {
      idx[ax]++;
      base += strides[ax];
      if (idx[ax] < outShape[ax]) break;
      base -= strides[ax] * outShape[ax];
      idx[ax] = 0;
    }
  }
}

/** `B` row-major R×C matrices → their transposes. */
function transpose2d(src: Float32Array, dst: Float32Array, B: number, R: number, C: number): void {
  for (let b = 0; b < B; b++) {
    const off = b * R * C;
    for (let j = 0; j < C; j++) {
      const d = off + j * R;
      let s = off + j;
      for (let i = 0; i < R; i++, s += C) dst[d + i] = src[s];
    }
  }
}

/** Float32 through `transposeInto`; other dtypes through the original kernel. */
function makeKernel(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    // Float32 only: element accesses that see several typed-array kinds go megamorphic in V8
    // (measured 10× slower), and int32/bool transposes are rare and small here.
    if (x.dtype !== 'float32') return original(args);
    const { perm } = args.attrs as { perm: number[] };
    const be = args.backend as unknown as WasmHeapBackend;
    const out = be.makeOutput(
      perm.map((a) => x.shape[a]),
      x.dtype,
    );
    // Batches of 2-D transposes in 4×4 blocks: the SIMD kernel (transpose-simd.wat).
    const b2 = asBatched2d(x.shape, perm);
    if (b2 && b2[1] % 4 === 0 && b2[2] % 4 === 0) {
      const ex = simdExports(args.backend as unknown as WasmBackendHandle, TRANSPOSE_SIMD);
      if (ex) {
        const fn = ex.transpose as (s: number, d: number, B: number, R: number, C: number) => void;
        fn(be.typedArrayFromHeap(x).byteOffset, be.typedArrayFromHeap(out).byteOffset, ...b2);
        return out;
      }
    }
    // Views after the allocation, which may grow (and so detach) the heap.
    transposeInto(be.typedArrayFromHeap(x), be.typedArrayFromHeap(out), x.shape, perm);
    return out;
  };
}

/**
 * Replaces the wasm backend's `Transpose` kernel (idempotent). Returns false if the wasm kernels
 * are not registered yet.
 */
export function patchWasmTranspose(): boolean {
  const original = tf.getKernel(tf.Transpose, 'wasm');
  if (!original) return false;
  if ((original as Patched).homolabPatched) return true;
  const patched: Patched = {
    ...original,
    kernelFunc: makeKernel(original.kernelFunc),
    homolabPatched: true,
  };
  tf.unregisterKernel(tf.Transpose, 'wasm');
  tf.registerKernel(patched);
  return true;
}

type Patched = KernelConfig & { homolabPatched?: boolean };
