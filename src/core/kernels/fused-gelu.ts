/**
 * Exact GELU, x·Φ(x), as one heap kernel (see `heap-kernel.ts`) that also writes the derivative
 * Φ(x) + x·φ(x), so the backward pass is a single multiply. The op chain needs `Erf` forward and
 * `Erf` + `Exp` backward, which tfjs-wasm evaluates at ~7 ns per element (scalar libm calls) on
 * the [N, 4d] MLP activations — ~8% of a small-config step. Here Φ and φ share one exp:
 * erf(x/√2) by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7, the formula tfjs's cpu backend uses)
 * needs exp(−x²/2), which is also √(2π)·φ(x). On wasm the f32x4 version (gelu-simd.wat, ~6×
 * faster) runs the same formula with a vectorised exp.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import * as GELU_SIMD from './gelu-simd-wasm';
import { registerHeapKernel, runHeapKernel } from './heap-kernel';
import type { WasmBackendHandle } from './wasm-simd';
import { simdExports } from './wasm-simd';

export const GELU_KERNEL = 'HomolabGelu';

const P = 0.3275911;
const A1 = 0.254829592;
const A2 = -0.284496736;
const A3 = 1.421413741;
const A4 = -1.453152027;
const A5 = 1.061405429;
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function forward([x]: Float32Array[], [y, dydx]: Float32Array[], _s: number[][], _a: NamedAttrMap) {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const z = Math.abs(xi) * INV_SQRT2;
    const e = Math.exp(-z * z); // = exp(−x²/2)
    const t = 1 / (1 + P * z);
    const erfAbs = 1 - ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t * e;
    const cdf = 0.5 * (1 + (xi < 0 ? -erfAbs : erfAbs));
    y[i] = xi * cdf;
    dydx[i] = cdf + xi * e * INV_SQRT_2PI;
  }
}

/** The same formula in f32x4 SIMD on the wasm heap (gelu-simd.wat). */
function simdForward(
  be: WasmBackendHandle,
  [x]: number[],
  [y, dydx]: number[],
  [shape]: number[][],
) {
  const ex = simdExports(be, GELU_SIMD);
  if (!ex) return false;
  (ex.gelu as (x: number, y: number, g: number, n: number) => void)(
    x,
    y,
    dydx,
    shape.reduce((a, b) => a * b, 1),
  );
  return true;
}

registerHeapKernel({
  name: GELU_KERNEL,
  outputShapes: ([x]) => [x, x],
  compute: forward,
  simd: simdForward,
});

// The kernel's own gradient, for direct use of the kernel (tests, tf.grad on runHeapKernel);
// the model goes through the customGrad op below, which never leaves an output without one.
tf.registerGradient({
  kernelName: GELU_KERNEL,
  outputsToSave: [false, true],
  gradFunc: (dys, saved) => {
    const [dy] = dys as tf.Tensor[];
    const [dydx] = saved;
    return { x: () => tf.mul(dy, dydx) };
  },
});

/**
 * GELU with its derivative saved for the backward pass. A `customGrad` op, not a gradient
 * registered on the two-output kernel: tfjs fills every kernel output that gets no gradient
 * with a fresh zero tensor built in JavaScript, so `dydx` would cost an [N, 4d] allocation and
 * copy per backward pass (~13% of a K = 8 lockstep step across the fused kernels).
 */
const geluWithGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const [y, dydx] = runHeapKernel(GELU_KERNEL, { x });
  (args[1] as tf.GradSaveFunc)([dydx]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [d]: tf.Tensor[]) => [tf.mul(dy as tf.Tensor, d)],
  };
}) as (x: tf.Tensor) => tf.Tensor;

/** Exact GELU of `x` (any shape). Heap backends only. */
export function fusedGelu(x: tf.Tensor): tf.Tensor {
  return geluWithGrad(x);
}
