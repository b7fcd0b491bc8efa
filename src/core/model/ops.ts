/**
 * Numerical building blocks of the Transformer with hand-written gradients where that saves
 * work: tfjs would otherwise record every elementwise op of GELU / the norms on the tape and
 * replay each one backwards (≈3× the dispatches on the wasm and webgpu backends).
 *
 * All functions work on the lockstep layout: activations `[K, N, d]`, per-member parameters
 * `[K, d]` (K = ensemble members).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedGelu, fusedKernelsActive, fusedLayerNorm, fusedRmsNorm } from '../kernels';

/** Epsilon inside the norms' square roots (PyTorch's LayerNorm default). */
export const NORM_EPS = 1e-5;

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Exact GELU, x·Φ(x) with Φ the standard normal CDF (PyTorch `nn.GELU()` default, not the tanh
 * approximation). d/dx = Φ(x) + x·φ(x). On the CPU backends one fused kernel
 * (`src/core/kernels/fused-gelu.ts`).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return fusedKernelsActive() ? fusedGelu(x) : geluOp(x);
}

const geluOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const xt = args[0] as tf.Tensor;
  (args[1] as tf.GradSaveFunc)([xt]);
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xt, INV_SQRT2))));
  return {
    value: tf.mul(xt, cdf),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [xs] = saved;
      const phi = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xs, INV_SQRT2))));
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
      return [tf.mul(dy as tf.Tensor, tf.add(phi, tf.mul(xs, pdf)))];
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

/** Reshapes a per-member vector `[K, d]` to broadcast over `[K, N, d]`. */
export function perMember(p: tf.Tensor): tf.Tensor {
  return tf.reshape(p, [p.shape[0], 1, p.shape[1] as number]);
}

/**
 * LayerNorm over the last axis: (x − μ)/√(σ² + ε)·g + b, σ² the biased variance (as PyTorch).
 * Backward (with x̂ the normalised input, ĝ = dy·g, r = 1/√(σ²+ε), means over the last axis):
 * dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); dg = Σ dy·x̂; db = Σ dy (Σ over N).
 */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  // On the CPU backends one fused kernel per direction (src/core/kernels/fused-norm.ts).
  if (fusedKernelsActive() && x.rank === 3) return fusedLayerNorm(x, g, b, NORM_EPS);
  return layerNormOp(x, g, b);
}

const layerNormOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, g, b] = args as tf.Tensor[];
  const save = args[3] as tf.GradSaveFunc;
  const mu = tf.mean(x, -1, true);
  const xc = tf.sub(x, mu);
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), NORM_EPS));
  const xhat = tf.mul(xc, r);
  save([xhat, r, g]);
  return {
    value: tf.add(tf.mul(xhat, perMember(g)), perMember(b)),
    gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const dy = dyIn as tf.Tensor;
      const [xh, rs, gs] = saved;
      const gh = tf.mul(dy, perMember(gs));
      const m1 = tf.mean(gh, -1, true);
      const m2 = tf.mean(tf.mul(gh, xh), -1, true);
      const dx = tf.mul(rs, tf.sub(tf.sub(gh, m1), tf.mul(xh, m2)));
      const dg = tf.sum(tf.mul(dy, xh), 1);
      const db = tf.sum(dy, 1);
      return [dx, dg, db];
    },
  };
}) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * RMSNorm over the last axis: x/√(mean(x²) + ε)·g (Zhang & Sennrich 2019; no bias, no centring).
 * Backward: dx = r·(ĝ − x̂·mean(ĝ·x̂)), dg = Σ dy·x̂.
 */
export function rmsNorm(x: tf.Tensor, g: tf.Tensor): tf.Tensor {
  if (fusedKernelsActive() && x.rank === 3) return fusedRmsNorm(x, g, NORM_EPS);
  return rmsNormOp(x, g);
}

const rmsNormOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, g] = args as tf.Tensor[];
  const save = args[2] as tf.GradSaveFunc;
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), NORM_EPS));
  const xhat = tf.mul(x, r);
  save([xhat, r, g]);
  return {
    value: tf.mul(xhat, perMember(g)),
    gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const dy = dyIn as tf.Tensor;
      const [xh, rs, gs] = saved;
      const gh = tf.mul(dy, perMember(gs));
      const m2 = tf.mean(tf.mul(gh, xh), -1, true);
      const dx = tf.mul(rs, tf.sub(gh, tf.mul(xh, m2)));
      const dg = tf.sum(tf.mul(dy, xh), 1);
      return [dx, dg];
    },
  };
}) as (x: tf.Tensor, g: tf.Tensor) => tf.Tensor;

/**
 * Affine map y = x·W + b on `[K, N, din]`·`[K, din, dout]` + `[K, dout]`. The bias gradient is
 * written as a product with a row of ones (Σ over N) rather than tfjs's broadcast-add gradient,
 * a `Sum` over axis 1 that the wasm backend implements as transpose-then-reduce.
 */
export const linear = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b] = args as tf.Tensor[];
  (args[3] as tf.GradSaveFunc)([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), perMember(b)),
    gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const dy = dyIn as tf.Tensor;
      const [xs, ws] = saved;
      const [K, N] = xs.shape;
      const dx = tf.matMul(dy, ws, false, true);
      const dw = tf.matMul(xs, dy, true, false);
      const db = tf.reshape(tf.matMul(tf.ones([K, 1, N]), dy), [K, dy.shape[2] as number]);
      return [dx, dw, db];
    },
  };
}) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
