/**
 * `UnsortedSegmentSum` for the wasm backend, which does not ship one.
 *
 * tfjs differentiates `gather` (the embedding lookup) with `unsortedSegmentSum`: the gradient of
 * an embedding table row is the sum of the output gradients of every position that looked it up.
 * Without this kernel no model with an embedding can train on wasm. The kernel is a plain
 * scatter-add over the wasm heap; its cost (N·d additions) is negligible next to the matmuls.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { scatterAdd, segmentRows } from './segment-sum';

interface WasmHeapBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array;
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as { numSegments: number };
  const be = backend as unknown as WasmHeapBackend;
  const { rowShape, rowSize } = segmentRows(x, segmentIds, 'wasm');
  // Copies, read before allocating the output: allocation may grow (and so detach) the heap.
  const xs = be.readSync(x.dataId);
  const ids = be.readSync(segmentIds.dataId);
  const out = be.makeOutput([numSegments, ...rowShape], x.dtype);
  const o = be.typedArrayFromHeap(out);
  o.fill(0);
  scatterAdd(xs, ids, numSegments, rowSize, o);
  return out;
};

/** Registers the kernel for wasm (idempotent). */
export function registerWasmUnsortedSegmentSum(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) return;
  const config: KernelConfig = {
    kernelName: tf.UnsortedSegmentSum,
    backendName: 'wasm',
    kernelFunc,
  };
  tf.registerKernel(config);
}
