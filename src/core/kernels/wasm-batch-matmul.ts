/**
 * A faster `BatchMatMul` for the wasm backend.
 *
 * tfjs-wasm's matmul runs 8–15× slower when `transposeA` or `transposeB` is set (measured 0.6–0.9
 * vs 7.5 GFLOP/s on [512×64]·[64×256]) because the packed-GEMM path only handles the plain
 * layout. Backprop through `matMul` always produces transposed products (dA = dY·Bᵀ,
 * dB = Aᵀ·dY), and attention's scores are Q·Kᵀ, so a training step is dominated by them. This
 * wrapper materialises the transposes with the (memory-bound, cheap) `Transpose` kernel and calls
 * the original kernel with both flags off. Numerically it is the same product.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** Multiply-adds per batch item from which splitting pays for its copies and calls. */
const SPLIT_MIN_MACS = 1 << 16;

/** Swaps the last two axes of a rank ≥ 2 tensor via the backend's own Transpose kernel. */
function transposeLastTwo(
  x: TensorInfo,
  backend: unknown,
  transposeKernel: KernelFunc,
): TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transposeKernel({
    inputs: { x },
    backend: backend as never,
    attrs: { perm },
  }) as TensorInfo;
}

/**
 * Replaces the wasm backend's `BatchMatMul` kernel with the explicit-transpose wrapper.
 * Idempotent; returns false if the wasm kernels are not registered (backend not loaded).
 */
export function patchWasmBatchMatMul(): boolean {
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transposeCfg = tf.getKernel(tf.Transpose, 'wasm');
  if (!original || !transposeCfg) return false;
  if ((original as PatchedConfig).homolabPatched) return true;
  const original0 = original.kernelFunc;
  const transposeKernel = transposeCfg.kernelFunc;
  const concatKernel = tf.getKernel(tf.Concat, 'wasm').kernelFunc;

  // Plain (untransposed) product; rank-3 batched ones split per item when that is faster.
  const inner: KernelFunc = ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    if (a.shape.length !== 3 || b.shape.length !== 3) return original0({ inputs, backend, attrs });
    const [ba, m, k] = a.shape;
    const [bb, , n] = b.shape;
    const batch = Math.max(ba, bb);
    if (batch === 1 || m * k * n < SPLIT_MIN_MACS) return original0({ inputs, backend, attrs });
    const be = backend as unknown as DisposingBackend;
    const temps: TensorInfo[] = [];
    // Item i as its own [1, r, c] tensor: a heap-to-heap copy (tfjs-wasm's Slice kernel takes
    // milliseconds for this, more than the product itself).
    const item = (x: TensorInfo, i: number): TensorInfo => {
      if (x.shape[0] === 1) return x;
      const size = x.shape[1] * x.shape[2];
      const s = be.makeOutput([1, x.shape[1], x.shape[2]], x.dtype);
      // Views taken after the allocation, which may grow (and so detach) the heap.
      be.typedArrayFromHeap(s).set(be.typedArrayFromHeap(x).subarray(i * size, (i + 1) * size));
      temps.push(s);
      return s;
    };
    const outs: TensorInfo[] = [];
    for (let i = 0; i < batch; i++) {
      const o = original0({
        inputs: { a: item(a, i), b: item(b, i) },
        backend,
        attrs,
      }) as TensorInfo;
      outs.push(o);
    }
    const out = concatKernel({
      inputs: outs as unknown as tf.NamedTensorInfoMap,
      backend,
      attrs: { axis: 0 },
    }) as TensorInfo;
    for (const t of [...temps, ...outs]) be.disposeData(t.dataId);
    return out;
  };

  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return inner({ inputs, backend, attrs });
    const a2 = transposeA ? transposeLastTwo(a, backend, transposeKernel) : a;
    const b2 = transposeB ? transposeLastTwo(b, backend, transposeKernel) : b;
    const out = inner({
      inputs: { a: a2, b: b2 },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    const be = backend as unknown as DisposingBackend;
    if (a2 !== a) be.disposeData(a2.dataId);
    if (b2 !== b) be.disposeData(b2.dataId);
    return out;
  };

  const patched: PatchedConfig = { ...original, kernelFunc, homolabPatched: true };
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel(patched);
  return true;
}

type PatchedConfig = KernelConfig & { homolabPatched?: boolean };
