/**
 * Symmetric N×N matrices stored as their packed upper triangle with the diagonal: row i holds
 * columns i…N−1, N(N+1)/2 values. Half the memory of the full matrix and every pass over it
 * is contiguous; the RBF kernels of RBF CKA are kept this way.
 */
import { rowDots } from './kernels';

/** Number of values in the packed triangle of an n×n matrix. */
export const packedLength = (n: number): number => (n * (n + 1)) / 2;

/** Offset of (i, i) in the packed triangle; (i, j ≥ i) is at packedOffset(n, i) + j − i. */
export const packedOffset = (n: number, i: number): number => i * n - (i * (i - 1)) / 2;

/** Σ_ij A_ij·B_ij over the full symmetric matrices, from their packed triangles. */
export function packedInner(a: Float64Array, b: Float64Array, n: number): number {
  const len = packedLength(n);
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
  }
  if (i < len) s0 += a[i] * b[i];
  let diag = 0;
  for (let r = 0, o = 0; r < n; o += n - r, r++) diag += a[o] * b[o];
  // Off-diagonal values stand for two entries each.
  return 2 * (s0 + s1) - diag;
}

/** Values per block of the all-pairs product: 8 blocks of 128 KB stay in L2 together. */
const BLOCK = 16384;

/**
 * inner[a][b] = packedInner(m[a], m[b], n) for every pair, each array read from memory once
 * (block by block, all pairs per block through the SIMD kernel) instead of once per pair: for
 * 8 models that is 8 passes over N(N+1)/2 values instead of 56.
 */
export function packedInnerMatrix(m: readonly Float64Array[], n: number): number[][] {
  const k = m.length;
  const len = packedLength(n);
  const total = new Float64Array(k * k);
  const stack = new Float64Array(k * Math.min(BLOCK, len));
  for (let s = 0; s < len; s += BLOCK) {
    const e = Math.min(len, s + BLOCK);
    const w = e - s;
    for (let a = 0; a < k; a++) stack.set(m[a].subarray(s, e), a * w);
    const part = rowDots(stack, k, stack, k, w, true);
    for (let i = 0; i < total.length; i++) total[i] += part[i];
  }
  const out: number[][] = [];
  for (let a = 0; a < k; a++) {
    const row: number[] = [];
    for (let b = 0; b < k; b++) {
      let diag = 0;
      for (let r = 0, o = 0; r < n; o += n - r, r++) diag += m[a][o] * m[b][o];
      row.push(2 * total[a * k + b] - diag);
    }
    out.push(row);
  }
  return out;
}
