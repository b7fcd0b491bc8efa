/**
 * Fused kernels written in plain TypeScript over the backend's own memory, for the two CPU
 * backends (`wasm`: the wasm heap; `cpu`: JavaScript typed arrays).
 *
 * Why: a small-config training step on wasm is ~1,200 tfjs kernel dispatches, each costing tens
 * of microseconds of engine bookkeeping (scopes, tape, tensor tracking) for a few microseconds of
 * arithmetic, and attention's tiny batched products run at ~0.5 GFLOP/s in XNNPACK. One kernel
 * that reads its inputs and writes its outputs in a single pass replaces whole op chains
 * (AdamW: ~15 ops per parameter; attention: ~20 ops per layer and direction).
 *
 * On wasm a kernel may also have a WebAssembly SIMD version (`simd`, see `wasm-simd.ts`) that
 * computes on the tensors' heap addresses; it runs first and the JS `compute` is the fallback.
 *
 * A heap kernel sees float32 inputs and preallocated float32 outputs as `Float32Array`s. It must
 * not keep them past the call: on wasm they are views of a heap that may grow (and so detach) at
 * the next allocation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendHandle } from './wasm-simd';

/** Backends that keep tensor data in CPU memory this module can address directly. */
export const HEAP_BACKENDS = ['wasm', 'cpu'] as const;

/** Computes outputs from inputs; all arrays float32, row-major, shapes as given. */
export type HeapCompute = (
  inputs: Float32Array[],
  outputs: Float32Array[],
  inputShapes: number[][],
  attrs: NamedAttrMap,
) => void;

/**
 * Computes outputs from inputs in the wasm heap by byte address (`wasm-simd.ts`); returns false
 * when it does not cover these shapes (or SIMD kernels are unavailable), and `compute` runs.
 */
export type SimdCompute = (
  backend: WasmBackendHandle,
  inputs: number[],
  outputs: number[],
  inputShapes: number[][],
  attrs: NamedAttrMap,
) => boolean;

export interface HeapKernelSpec {
  /** Kernel name (unique; prefix `Homolab`). */
  name: string;
  /** Output shapes from the input shapes and attributes. */
  outputShapes: (inputShapes: number[][], attrs: NamedAttrMap) => number[][];
  compute: HeapCompute;
  /** Optional WebAssembly SIMD version for the wasm backend, tried before `compute`. */
  simd?: SimdCompute;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
}

interface CpuBackendLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkFloat(inputs: TensorInfo[], name: string): void {
  for (const t of inputs)
    if (t.dtype !== 'float32') throw new Error(`${name}: inputs must be float32, got ${t.dtype}`);
}

function wasmKernel(spec: HeapKernelSpec): KernelFunc {
  return ({ inputs, backend, attrs: maybeAttrs }) => {
    const attrs = maybeAttrs ?? {};
    const be = backend as unknown as WasmBackendLike;
    const ins = Object.values(inputs) as TensorInfo[];
    checkFloat(ins, spec.name);
    const shapes = ins.map((t) => t.shape);
    // Allocate every output before taking any view: allocation may grow the heap.
    const outs = spec.outputShapes(shapes, attrs).map((s) => be.makeOutput(s, 'float32'));
    const address = (t: TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
    if (
      spec.simd?.(
        backend as unknown as WasmBackendHandle,
        ins.map(address),
        outs.map(address),
        shapes,
        attrs,
      )
    )
      return outs.length === 1 ? outs[0] : outs;
    // Views only now: the SIMD kernel may have grown the heap (scratch), detaching older ones.
    spec.compute(
      ins.map((t) => be.typedArrayFromHeap(t)),
      outs.map((t) => be.typedArrayFromHeap(t)),
      shapes,
      attrs,
    );
    return outs.length === 1 ? outs[0] : outs;
  };
}

function cpuKernel(spec: HeapKernelSpec): KernelFunc {
  return ({ inputs, backend, attrs: maybeAttrs }) => {
    const attrs = maybeAttrs ?? {};
    const be = backend as unknown as CpuBackendLike;
    const ins = Object.values(inputs) as TensorInfo[];
    checkFloat(ins, spec.name);
    const shapes = ins.map((t) => t.shape);
    const outShapes = spec.outputShapes(shapes, attrs);
    const outVals = outShapes.map((s) => new Float32Array(size(s)));
    spec.compute(
      ins.map((t) => be.data.get(t.dataId).values as Float32Array),
      outVals,
      shapes,
      attrs,
    );
    const outs = outShapes.map((s, i) => be.makeTensorInfo(s, 'float32', outVals[i]));
    return outs.length === 1 ? outs[0] : outs;
  };
}

/** Registers `spec` for every heap backend (idempotent). */
export function registerHeapKernel(spec: HeapKernelSpec): void {
  for (const backendName of HEAP_BACKENDS) {
    if (tf.getKernel(spec.name, backendName)) continue;
    tf.registerKernel({
      kernelName: spec.name,
      backendName,
      kernelFunc: backendName === 'wasm' ? wasmKernel(spec) : cpuKernel(spec),
    });
  }
}

let enabled = true;

/**
 * Turns the fused kernels off (or back on) for this process: the model and optimizer then run
 * the portable tfjs op chains. For benchmarks and equivalence tests; default on.
 */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}

/** Whether the active backend runs heap kernels (and they are enabled). */
export function fusedKernelsActive(): boolean {
  return enabled && (HEAP_BACKENDS as readonly string[]).includes(tf.getBackend());
}

/** Runs a registered heap kernel on the active backend. */
export function runHeapKernel(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: NamedAttrMap = {},
): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs);
  return Array.isArray(out) ? out : [out];
}
