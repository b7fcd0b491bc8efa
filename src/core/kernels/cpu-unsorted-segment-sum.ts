/**
 * A scatter-add `UnsortedSegmentSum` for the cpu backend, replacing tfjs-cpu's own.
 *
 * Why: tfjs-cpu computes each segment as Σ_i x_i·[id_i = s], i.e. every row times a 0/1 mask.
 * Since 0·NaN = NaN, one lockstep member's non-finite gradient leaks into every other member's
 * embedding gradient (the stacked `[K·V, d]` table is one lookup), so the trainer could not tell
 * which member diverged. It also costs O(segments · rows · d) instead of O(rows · d). A
 * scatter-add adds each row only to its own segment, in row order, like the wasm kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // its registration must exist before we replace it
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { scatterAdd, segmentRows } from './segment-sum';

interface CpuBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(
    shape: number[],
    dtype: tf.DataType,
    values: Float32Array | Int32Array,
  ): TensorInfo;
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as { numSegments: number };
  const be = backend as unknown as CpuBackendLike;
  const { rowShape, rowSize } = segmentRows(x, segmentIds, 'cpu');
  const xs = be.readSync(x.dataId);
  const ids = be.readSync(segmentIds.dataId);
  const size = numSegments * rowSize;
  const o = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  scatterAdd(xs, ids, numSegments, rowSize, o);
  return be.makeTensorInfo([numSegments, ...rowShape], x.dtype, o);
};

let registered = false;

/** Replaces tfjs-cpu's UnsortedSegmentSum with the scatter-add (idempotent). */
export function registerCpuUnsortedSegmentSum(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(tf.UnsortedSegmentSum, 'cpu')) tf.unregisterKernel(tf.UnsortedSegmentSum, 'cpu');
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'cpu', kernelFunc });
}
