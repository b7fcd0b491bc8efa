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

/** The tfjs-wasm internals the per-item product uses (stable across tfjs 4.x). */
interface HeapBackend extends DisposingBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  dataIdNextNumber: number;
  wasm: {
    tfjs: {
      registerTensor(id: number, size: number, offset: number): void;
      disposeData(id: number): void;
    };
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  };
}

let batchMatMulC: ((...args: unknown[]) => void) | undefined;
let batchMatMulOwner: unknown;

/**
 * Item i of each batched operand as a zero-copy view: a tensor id registered with the wasm
 * module at an address inside the operand's own memory, so XNNPACK reads (and, for the
 * output, writes) the items in place. Before, each item was copied out into its own tensor and
 * the results concatenated: ~15% of a K = 8 lockstep step went to those copies and allocations.
 */
function perItemProduct(
  be: HeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  batch: number,
  m: number,
  k: number,
  n: number,
): TensorInfo {
  if (!batchMatMulC || batchMatMulOwner !== be.wasm) {
    // The same C entry point and signature tfjs-wasm's own BatchMatMul kernel binds.
    batchMatMulC = be.wasm.cwrap(tf.BatchMatMul, null, [
      'number',
      'array',
      'number',
      'number',
      'array',
      'number',
      'number',
      'number',
      'number',
    ]);
    batchMatMulOwner = be.wasm;
  }
  const out = be.makeOutput([batch, m, n], 'float32');
  const base = (t: TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
  const [pa, pb, po] = [base(a), base(b), base(out)];
  const shapeBytes = (s: number[]) => new Uint8Array(new Int32Array(s).buffer);
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, n]);
  const view = (offset: number, size: number): number => {
    const id = be.dataIdNextNumber++;
    be.wasm.tfjs.registerTensor(id, size, offset);
    return id;
  };
  for (let i = 0; i < batch; i++) {
    const ia = view(pa + (a.shape[0] === 1 ? 0 : i * m * k * 4), m * k);
    const ib = view(pb + (b.shape[0] === 1 ? 0 : i * k * n * 4), k * n);
    const io = view(po + i * m * n * 4, m * n);
    batchMatMulC(ia, aShape, 3, ib, bShape, 3, false, false, io);
    // Unregistering a view frees nothing (the memory belongs to a, b and out) but drops any
    // XNNPACK operator cached for it.
    for (const id of [ia, ib, io]) be.wasm.tfjs.disposeData(id);
  }
  return out;
}

/** Multiply-adds per batch item from which per-item calls beat tfjs-wasm's batched loop. */
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

  // Plain (untransposed) product; rank-3 batched ones split per item when that is faster.
  const inner: KernelFunc = ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    if (a.shape.length !== 3 || b.shape.length !== 3) return original0({ inputs, backend, attrs });
    const [ba, m, k] = a.shape;
    const [bb, , n] = b.shape;
    const batch = Math.max(ba, bb);
    if (batch === 1 || m * k * n < SPLIT_MIN_MACS) return original0({ inputs, backend, attrs });
    return perItemProduct(backend as unknown as HeapBackend, a, b, batch, m, k, n);
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
