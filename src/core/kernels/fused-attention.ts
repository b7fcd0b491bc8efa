/**
 * Causal multi-head self-attention as one heap kernel per direction (see `heap-kernel.ts`).
 *
 * Why: with small heads (hd = 16, T = 32) the op-chain version is ~20 small batched products,
 * transposes and softmax kernels per layer and direction; XNNPACK runs such [64, 32, 16]-sized
 * batched products at ~1 GFLOP/s, so attention took ~17 ms of a ~75 ms small-config step. Here
 * the heads are read in place from the projections' `[M, T, d]` layout (head h = columns
 * [h·hd, (h+1)·hd)), masked entries are skipped rather than computed, and nothing is transposed.
 *
 * Forward, per row i of head h (s = 1/√hd, Q̃ = float32(s·Q) as the op chain scales Q first):
 *   S_ij = Q̃_i·K_j (j ≤ i),  P_i = softmax(S_i),  Y_i = Σ_j P_ij V_j.
 * Backward (P is an output of the forward kernel, saved for this):
 *   dV_j = Σ_i P_ij dY_i,  dP_ij = dY_i·V_j,  dS_ij = P_ij (dP_ij − Σ_j' P_ij' dP_ij'),
 *   dQ_i = s·Σ_j dS_ij K_j,  dK_j = Σ_i dS_ij Q̃_i.
 * Sums run in float64 and are rounded once, so results differ from the op chain by float32
 * rounding only (tested to 1e-5). On the wasm backend, heads of a size divisible by 4 run the
 * f32x4 SIMD version (attention-simd.wat, ~7× faster): float32 sums in a fixed order, within
 * ~1e-6 of this one (tests/core/kernels/simd.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import * as ATTENTION_SIMD from './attention-simd-wasm';
import { registerHeapKernel, runHeapKernel } from './heap-kernel';
import type { WasmBackendHandle } from './wasm-simd';
import { scratch, simdExports } from './wasm-simd';

export const ATTENTION_KERNEL = 'HomolabCausalAttention';
export const ATTENTION_GRAD_KERNEL = 'HomolabCausalAttentionGrad';

interface AttentionAttrs {
  heads: number;
}

const f = Math.fround;

/** Inputs q, k, v `[M, T, d]`; outputs y `[M, T, d]` and probabilities `[M, H, T, T]`. */
function forward(
  [q, k, v]: Float32Array[],
  [y, probs]: Float32Array[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): void {
  const [M, T, d] = shape;
  const H = (attrs as unknown as AttentionAttrs).heads;
  const hd = (d / H) | 0; // an int32 for V8: double-typed indices take slow element access
  const scale = f(1 / Math.sqrt(hd));
  const qs = new Float64Array(hd);
  const row = new Float64Array(T);
  const acc = new Float64Array(hd);
  for (let m = 0; m < M; m++) {
    const base = m * T * d;
    for (let h = 0; h < H; h++) {
      const col = base + h * hd;
      const pBase = (m * H + h) * T * T;
      for (let i = 0; i < T; i++) {
        const qi = col + i * d;
        for (let c = 0; c < hd; c++) qs[c] = f(q[qi + c] * scale);
        let max = -Infinity;
        for (let j = 0; j <= i; j++) {
          const kj = col + j * d;
          let s = 0;
          for (let c = 0; c < hd; c++) s += qs[c] * k[kj + c];
          s = f(s);
          row[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) {
          const e = Math.exp(row[j] - max);
          row[j] = e;
          sum += e;
        }
        const pRow = pBase + i * T;
        acc.fill(0);
        for (let j = 0; j <= i; j++) {
          const p = f(row[j] / sum);
          probs[pRow + j] = p;
          const vj = col + j * d;
          for (let c = 0; c < hd; c++) acc[c] += p * v[vj + c];
        }
        for (let j = i + 1; j < T; j++) probs[pRow + j] = 0;
        const yi = col + i * d;
        for (let c = 0; c < hd; c++) y[yi + c] = acc[c];
      }
    }
  }
}

/** Inputs dy, q, k, v `[M, T, d]` and probabilities `[M, H, T, T]`; outputs dq, dk, dv. */
function backward(
  [dy, q, k, v, probs]: Float32Array[],
  [dq, dk, dv]: Float32Array[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): void {
  const [M, T, d] = shape;
  const H = (attrs as unknown as AttentionAttrs).heads;
  const hd = (d / H) | 0; // an int32 for V8: double-typed indices take slow element access
  const scale = f(1 / Math.sqrt(hd));
  const qs = new Float64Array(T * hd);
  const dK = new Float64Array(T * hd);
  const dV = new Float64Array(T * hd);
  const dS = new Float64Array(T);
  const acc = new Float64Array(hd);
  for (let m = 0; m < M; m++) {
    const base = m * T * d;
    for (let h = 0; h < H; h++) {
      const col = base + h * hd;
      const pBase = (m * H + h) * T * T;
      for (let i = 0; i < T; i++)
        for (let c = 0; c < hd; c++) qs[i * hd + c] = f(q[col + i * d + c] * scale);
      dK.fill(0);
      dV.fill(0);
      for (let i = 0; i < T; i++) {
        const pRow = pBase + i * T;
        const dyi = col + i * d;
        // dP_ij = dY_i·V_j and dV_j += P_ij dY_i, then t = Σ_j P_ij dP_ij.
        let t = 0;
        for (let j = 0; j <= i; j++) {
          const p = probs[pRow + j];
          const vj = col + j * d;
          let dp = 0;
          for (let c = 0; c < hd; c++) {
            const g = dy[dyi + c];
            dp += g * v[vj + c];
            dV[j * hd + c] += p * g;
          }
          dS[j] = dp;
          t += p * dp;
        }
        acc.fill(0);
        for (let j = 0; j <= i; j++) {
          const ds = probs[pRow + j] * (dS[j] - t);
          const kj = col + j * d;
          for (let c = 0; c < hd; c++) {
            acc[c] += ds * k[kj + c];
            dK[j * hd + c] += ds * qs[i * hd + c];
          }
        }
        for (let c = 0; c < hd; c++) dq[dyi + c] = f(acc[c]) * scale;
      }
      for (let j = 0; j < T; j++) {
        const o = col + j * d;
        for (let c = 0; c < hd; c++) {
          dk[o + c] = dK[j * hd + c];
          dv[o + c] = dV[j * hd + c];
        }
      }
    }
  }
}

type SimdForward = (
  q: number,
  k: number,
  v: number,
  y: number,
  p: number,
  M: number,
  T: number,
  d: number,
  H: number,
  scale: number,
  scratch: number,
) => void;
type SimdBackward = (
  dy: number,
  q: number,
  k: number,
  v: number,
  p: number,
  dq: number,
  dk: number,
  dv: number,
  M: number,
  T: number,
  d: number,
  H: number,
  scale: number,
  scratch: number,
) => void;

/** The SIMD kernels (attention-simd.wat) cover head sizes that are a multiple of 4. */
function simdShape([M, T, d]: number[], H: number): { T: number; hd: number; Tp: number } | null {
  const hd = d / H;
  if (!Number.isInteger(hd) || hd % 4 !== 0 || M * T === 0) return null;
  return { T, hd, Tp: (T + 3) & ~3 };
}

function simdForward(
  be: WasmBackendHandle,
  [q, k, v]: number[],
  [y, probs]: number[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): boolean {
  const H = (attrs as unknown as AttentionAttrs).heads;
  const dims = simdShape(shape, H);
  const ex = dims && simdExports(be, ATTENTION_SIMD);
  if (!dims || !ex) return false;
  const { hd, Tp } = dims;
  const s = scratch(be, 4 * (hd * Tp + hd + Tp));
  (ex.forward as SimdForward)(
    q,
    k,
    v,
    y,
    probs,
    shape[0],
    shape[1],
    shape[2],
    H,
    f(1 / Math.sqrt(hd)),
    s,
  );
  return true;
}

function simdBackward(
  be: WasmBackendHandle,
  [dy, q, k, v, probs]: number[],
  [dq, dk, dv]: number[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): boolean {
  const H = (attrs as unknown as AttentionAttrs).heads;
  const dims = simdShape(shape, H);
  const ex = dims && simdExports(be, ATTENTION_SIMD);
  if (!dims || !ex) return false;
  const { T, hd, Tp } = dims;
  const s = scratch(be, 4 * (3 * T * hd + hd * Tp + 2 * Tp));
  (ex.backward as SimdBackward)(
    dy,
    q,
    k,
    v,
    probs,
    dq,
    dk,
    dv,
    shape[0],
    T,
    shape[2],
    H,
    f(1 / Math.sqrt(hd)),
    s,
  );
  return true;
}

registerHeapKernel({
  name: ATTENTION_KERNEL,
  outputShapes: ([[M, T, d]], attrs) => [
    [M, T, d],
    [M, (attrs as unknown as AttentionAttrs).heads, T, T],
  ],
  compute: forward,
  simd: simdForward,
});

registerHeapKernel({
  name: ATTENTION_GRAD_KERNEL,
  outputShapes: ([s]) => [s, s, s],
  compute: backward,
  simd: simdBackward,
});

// The kernel's own gradient, for direct use of the kernel (tests, tf.grad on runHeapKernel);
// the model goes through the customGrad op below, which never leaves an output without one.
tf.registerGradient({
  kernelName: ATTENTION_KERNEL,
  inputsToSave: ['q', 'k', 'v'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy] = dys as tf.Tensor[];
    const [q, k, v, probs] = saved;
    const [dq, dk, dv] = runHeapKernel(ATTENTION_GRAD_KERNEL, { dy, q, k, v, probs }, attrs);
    return { q: () => dq, k: () => dk, v: () => dv };
  },
});

/**
 * Causal self-attention of `heads` heads on `[M, T, d]` queries, keys and values (heads side by
 * side in the last axis); returns `[M, T, d]`. Heap backends only (`fusedKernelsActive()`).
 */
export function fusedCausalAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  heads: number,
): tf.Tensor {
  return attentionWithGrad(heads)(q, k, v);
}

const byHeads = new Map<number, (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor>();

/**
 * The attention op for `heads` heads, its probabilities saved for the backward pass. A
 * `customGrad` op rather than a gradient on the two-output kernel: tfjs would fill the
 * probabilities' missing gradient with a zero `[M, H, T, T]` tensor built in JavaScript on
 * every backward pass.
 */
function attentionWithGrad(heads: number): (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor {
  let op = byHeads.get(heads);
  if (op) return op;
  const attrs = { heads };
  op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [q, k, v] = args as tf.Tensor[];
    const [y, probs] = runHeapKernel(ATTENTION_KERNEL, { q, k, v }, attrs);
    (args[3] as tf.GradSaveFunc)([q, k, v, probs]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [qs, ks, vs, ps] = saved;
        const inputs = { dy: dy as tf.Tensor, q: qs, k: ks, v: vs, probs: ps };
        return runHeapKernel(ATTENTION_GRAD_KERNEL, inputs, attrs);
      },
    };
  }) as (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor;
  byHeads.set(heads, op);
  return op;
}
