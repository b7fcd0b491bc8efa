/**
 * LayerNorm and RMSNorm over the last axis as heap kernels, forward and backward (see
 * `heap-kernel.ts`). The op-chain versions (`src/core/model/ops.ts`) are ~8 kernels forward and
 * ~10 backward, and their Σ over N reduces axis 1, which tfjs-wasm implements as a transpose
 * followed by a reduction. Here each direction is one pass over the rows, statistics in float64.
 *
 * Layout: x `[K, N, d]`, gain/bias `[K, d]` (K ensemble members). Formulas as in ops.ts:
 *   x̂ = (x − μ)·r (LayerNorm) or x·r (RMSNorm), r = 1/√(σ² + ε) resp. 1/√(mean(x²) + ε),
 *   y = x̂·g (+ b);  with ĝ = dy·g:  dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) (LayerNorm; RMSNorm
 *   without the mean(ĝ) term), dg = Σ_N dy·x̂, db = Σ_N dy.
 * On wasm, when d is a multiple of 4, the SIMD version (norm-simd.wat) runs: statistics and Σ_N
 * in float64, element-wise parts in float32.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { registerHeapKernel, runHeapKernel } from './heap-kernel';
import * as NORM_SIMD from './norm-simd-wasm';
import type { WasmBackendHandle } from './wasm-simd';
import { scratch, simdExports } from './wasm-simd';

export const LAYER_NORM_KERNEL = 'HomolabLayerNorm';
export const RMS_NORM_KERNEL = 'HomolabRMSNorm';
const NORM_GRAD_KERNEL = 'HomolabNormGrad';

interface NormAttrs {
  eps: number;
  /** True for LayerNorm (subtract the mean, add a bias). */
  center: boolean;
}

/** Inputs x, g (, b); outputs y, x̂ `[K, N, d]` and r `[K, N]`. */
function forward(
  ins: Float32Array[],
  [y, xhat, rstd]: Float32Array[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): void {
  const { eps, center } = attrs as unknown as NormAttrs;
  const [x, g] = ins;
  const b = center ? ins[2] : undefined;
  const [K, N, d] = shape;
  for (let k = 0; k < K; k++) {
    const gOff = k * d;
    for (let n = 0; n < N; n++) {
      const row = k * N + n;
      const o = row * d;
      let mu = 0;
      if (center) {
        for (let c = 0; c < d; c++) mu += x[o + c];
        mu /= d;
      }
      let ss = 0;
      for (let c = 0; c < d; c++) {
        const xc = x[o + c] - mu;
        ss += xc * xc;
      }
      const r = 1 / Math.sqrt(ss / d + eps);
      rstd[row] = r;
      for (let c = 0; c < d; c++) {
        const xh = (x[o + c] - mu) * r;
        xhat[o + c] = xh;
        y[o + c] = b ? xh * g[gOff + c] + b[gOff + c] : xh * g[gOff + c];
      }
    }
  }
}

/** Inputs dy, x̂ `[K, N, d]`, r `[K, N]`, g `[K, d]`; outputs dx, dg (, db). */
function backward(
  [dy, xhat, rstd, g]: Float32Array[],
  outs: Float32Array[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): void {
  const { center } = attrs as unknown as NormAttrs;
  const [dx, dg] = outs;
  const db = center ? outs[2] : undefined;
  const [K, N, d] = shape;
  const accG = new Float64Array(d);
  const accB = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    const gOff = k * d;
    accG.fill(0);
    accB.fill(0);
    for (let n = 0; n < N; n++) {
      const row = k * N + n;
      const o = row * d;
      let m1 = 0;
      let m2 = 0;
      for (let c = 0; c < d; c++) {
        const gy = dy[o + c];
        const gh = gy * g[gOff + c];
        const xh = xhat[o + c];
        m1 += gh;
        m2 += gh * xh;
        accG[c] += gy * xh;
        accB[c] += gy;
      }
      m1 = center ? m1 / d : 0;
      m2 /= d;
      const r = rstd[row];
      for (let c = 0; c < d; c++) dx[o + c] = r * (dy[o + c] * g[gOff + c] - m1 - xhat[o + c] * m2);
    }
    for (let c = 0; c < d; c++) {
      dg[gOff + c] = accG[c];
      if (db) db[gOff + c] = accB[c];
    }
  }
}

type SimdNormForward = (
  x: number,
  g: number,
  b: number,
  y: number,
  xhat: number,
  rstd: number,
  K: number,
  N: number,
  d: number,
  eps: number,
  center: number,
) => void;
type SimdNormBackward = (
  dy: number,
  xhat: number,
  rstd: number,
  g: number,
  dx: number,
  dg: number,
  db: number,
  K: number,
  N: number,
  d: number,
  center: number,
  scratch: number,
) => void;

/** The SIMD kernels (norm-simd.wat) need d a multiple of 4. */
function simdNorm(be: WasmBackendHandle, [K, N, d]: number[]) {
  return d % 4 === 0 && K * N * d > 0 ? simdExports(be, NORM_SIMD) : null;
}

function simdForward(
  be: WasmBackendHandle,
  ins: number[],
  [y, xhat, rstd]: number[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): boolean {
  const ex = simdNorm(be, shape);
  if (!ex) return false;
  const { eps, center } = attrs as unknown as NormAttrs;
  const [x, g, b] = ins;
  const [K, N, d] = shape;
  (ex.forward as SimdNormForward)(x, g, center ? b : 0, y, xhat, rstd, K, N, d, eps, +center);
  return true;
}

function simdBackward(
  be: WasmBackendHandle,
  [dy, xhat, rstd, g]: number[],
  outs: number[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): boolean {
  const ex = simdNorm(be, shape);
  if (!ex) return false;
  const { center } = attrs as unknown as NormAttrs;
  const [K, N, d] = shape;
  const s = scratch(be, 16 * d);
  (ex.backward as SimdNormBackward)(
    dy,
    xhat,
    rstd,
    g,
    outs[0],
    outs[1],
    center ? outs[2] : 0,
    K,
    N,
    d,
    +center,
    s,
  );
  return true;
}

const fwdShapes = ([x]: number[][]) => [x, x, [x[0], x[1]]];

for (const name of [LAYER_NORM_KERNEL, RMS_NORM_KERNEL])
  registerHeapKernel({ name, outputShapes: fwdShapes, compute: forward, simd: simdForward });
registerHeapKernel({
  name: NORM_GRAD_KERNEL,
  outputShapes: ([dy], attrs) => {
    const gShape = [dy[0], dy[2]];
    return (attrs as unknown as NormAttrs).center ? [dy, gShape, gShape] : [dy, gShape];
  },
  compute: backward,
  simd: simdBackward,
});

// The kernel's own gradient, for direct use of the kernel (tests, tf.grad on runHeapKernel);
// the model goes through the customGrad op below, which never leaves an output without one.
for (const kernelName of [LAYER_NORM_KERNEL, RMS_NORM_KERNEL])
  tf.registerGradient({
    kernelName,
    inputsToSave: ['g'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy] = dys as tf.Tensor[];
      const [g, xhat, rstd] = saved;
      const [dx, dg, db] = runHeapKernel(NORM_GRAD_KERNEL, { dy, xhat, rstd, g }, attrs);
      const grads: Record<string, () => tf.Tensor> = { x: () => dx, g: () => dg };
      if (db) grads.b = () => db;
      return grads;
    },
  });

/**
 * A norm op with x̂ and 1/σ saved for the backward pass. `customGrad` rather than a gradient on
 * the three-output kernel: tfjs would fill x̂'s and 1/σ's missing gradients with zero tensors
 * built in JavaScript on every backward pass.
 */
function normWithGrad(name: string, attrs: NormAttrs): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, g, b] = args as tf.Tensor[];
    const [y, xhat, rstd] = runHeapKernel(name, b ? { x, g, b } : { x, g }, { ...attrs });
    save([g, xhat, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [gs, xh, rs]: tf.Tensor[]) =>
        runHeapKernel(
          NORM_GRAD_KERNEL,
          { dy: dy as tf.Tensor, xhat: xh, rstd: rs, g: gs },
          {
            ...attrs,
          },
        ),
    };
  }) as (...inputs: tf.Tensor[]) => tf.Tensor;
}

const normOps = new Map<string, (...inputs: tf.Tensor[]) => tf.Tensor>();

function normOp(name: string, eps: number, center: boolean): (...inputs: tf.Tensor[]) => tf.Tensor {
  const key = `${name}:${eps}`;
  let op = normOps.get(key);
  if (!op) normOps.set(key, (op = normWithGrad(name, { eps, center } as NormAttrs)));
  return op;
}

/** LayerNorm of `x` `[K, N, d]` with gain and bias `[K, d]`. Heap backends only. */
export function fusedLayerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  return normOp(LAYER_NORM_KERNEL, eps, true)(x, g, b);
}

/** RMSNorm of `x` `[K, N, d]` with gain `[K, d]`. Heap backends only. */
export function fusedRmsNorm(x: tf.Tensor, g: tf.Tensor, eps: number): tf.Tensor {
  return normOp(RMS_NORM_KERNEL, eps, false)(x, g);
}
