/**
 * The scatter-add shared by the cpu and wasm `UnsortedSegmentSum` kernels: each row of x is
 * added to its own segment only, in row order (so one non-finite row cannot reach another
 * segment, and results do not depend on the backend's memory).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** Checks the operands and returns the shape and size of one row (`who` names the kernel). */
export function segmentRows(
  x: TensorInfo,
  segmentIds: TensorInfo,
  who: string,
): { rowShape: number[]; rowSize: number } {
  if (x.dtype !== 'float32' && x.dtype !== 'int32')
    throw new Error(`UnsortedSegmentSum (${who}): unsupported dtype ${x.dtype}`);
  const idRank = segmentIds.shape.length;
  for (let i = 0; i < idRank; i++)
    if (segmentIds.shape[i] !== x.shape[i])
      throw new Error(
        `UnsortedSegmentSum (${who}): segmentIds shape ${segmentIds.shape} must prefix x shape ${x.shape}`,
      );
  const rowShape = x.shape.slice(idRank);
  return { rowShape, rowSize: rowShape.reduce((p, s) => p * s, 1) };
}

/** out[seg·rowSize + j] += xs[i·rowSize + j] for every row i with seg = ids[i] in range. */
export function scatterAdd(
  xs: ArrayLike<number>,
  ids: ArrayLike<number>,
  numSegments: number,
  rowSize: number,
  out: Float32Array | Int32Array,
): void {
  for (let i = 0; i < ids.length; i++) {
    const seg = ids[i];
    if (seg < 0 || seg >= numSegments) continue; // TF semantics: out-of-range ids are dropped
    const src = i * rowSize;
    const dst = seg * rowSize;
    for (let j = 0; j < rowSize; j++) out[dst + j] += xs[src + j];
  }
}
