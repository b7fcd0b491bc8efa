/**
 * AdamW (Loshchilov & Hutter 2019) over stacked `[K, ...]` parameters, with per-member
 * global-norm gradient clipping. Matches `torch.optim.AdamW` + `clip_grad_norm_` applied to each
 * member on its own:
 *
 *   g ← g·min(1, c/(‖g_k‖ + 1e-6))        (‖g_k‖: norm over all of member k's gradients)
 *   p ← p·(1 − lr·λ)                       (decoupled decay, decayed parameters only)
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
 *   p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
 *
 * Weight decay applies to the weight matrices of attention, MLP and the untied output layer
 * only: not to biases and norm gains (decaying them pulls the norms towards zero-gain, which is
 * not a regulariser of model complexity) and not to the token/position embeddings (as in
 * minGPT: rows of rare tokens would shrink towards 0 merely for being rare). With tied
 * embeddings the output layer is the embedding and so is not decayed either.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ADAMW_KERNEL,
  MEMBER_NORMS_KERNEL,
  fusedKernelsActive,
  runHeapKernel,
  type AdamWAttrs,
} from '../kernels';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamW {
  readonly m: Record<string, tf.Variable> = {};
  readonly v: Record<string, tf.Variable> = {};
  /** Number of updates applied (Adam's t). */
  t = 0;

  constructor(
    private readonly params: Record<string, tf.Variable>,
    private readonly decay: Set<string>,
    private readonly cfg: AdamWConfig,
  ) {
    for (const [name, p] of Object.entries(params)) {
      this.m[name] = tf.variable(tf.zerosLike(p), false);
      this.v[name] = tf.variable(tf.zerosLike(p), false);
    }
  }

  /**
   * One update. `grads` by parameter name; `scale` `[K]` (a tensor or plain numbers) multiplies
   * member k's gradients (the clipping coefficient). Call inside `tf.tidy`. On the CPU backends
   * each parameter's update is one fused kernel (bit-identical to the op chain).
   */
  apply(grads: Record<string, tf.Tensor>, lr: number, scale?: tf.Tensor | number[]): void {
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this.cfg;
    this.t += 1;
    const bc1 = 1 - Math.pow(b1, this.t);
    const bc2 = 1 - Math.pow(b2, this.t);
    const fused = fusedKernelsActive();
    let scaleT: tf.Tensor | undefined;
    let scaleA: number[] = [];
    if (scale instanceof tf.Tensor) {
      if (fused) scaleA = Array.from(scale.dataSync());
      else scaleT = scale;
    } else if (scale) {
      if (fused) scaleA = scale;
      else scaleT = tf.tensor1d(scale, 'float32');
    }
    for (const [name, p] of Object.entries(this.params)) {
      let g = grads[name];
      if (!g) throw new Error(`AdamW: no gradient for '${name}'`);
      const decayed = this.decay.has(name) && wd > 0;
      if (fused) {
        const attrs: AdamWAttrs = {
          beta1: b1,
          beta2: b2,
          eps,
          bc1,
          bc2,
          lr,
          decayFactor: decayed ? 1 - lr * wd : 1,
          scale: scaleA,
        };
        const [p2, m2, v2] = runHeapKernel(
          ADAMW_KERNEL,
          { p, g, m: this.m[name], v: this.v[name] },
          attrs as unknown as tf.NamedAttrMap,
        );
        this.m[name].assign(m2);
        this.v[name].assign(v2);
        p.assign(p2);
        continue;
      }
      if (scaleT)
        g = tf.mul(g, tf.reshape(scaleT, [scaleT.shape[0], ...p.shape.slice(1).map(() => 1)]));
      const m = tf.add(tf.mul(this.m[name], b1), tf.mul(g, 1 - b1));
      const v = tf.add(tf.mul(this.v[name], b2), tf.mul(tf.square(g), 1 - b2));
      this.m[name].assign(m);
      this.v[name].assign(v);
      const denom = tf.add(tf.sqrt(tf.div(v, bc2)), eps);
      const step = tf.mul(tf.div(m, denom), lr / bc1);
      p.assign(tf.sub(decayed ? tf.mul(p, 1 - lr * wd) : p, step));
    }
  }

  dispose(): void {
    for (const x of [...Object.values(this.m), ...Object.values(this.v)]) x.dispose();
  }
}

/**
 * Per-member global gradient norm `[K]`: √(Σ over every parameter of Σ g² over all axes but
 * the first).
 */
export function memberGradNorms(grads: tf.Tensor[]): tf.Tensor {
  // One fused pass on the CPU backends (sums in float64, so not bit-equal to the op chain).
  if (fusedKernelsActive() && grads.length > 0)
    return runHeapKernel(
      MEMBER_NORMS_KERNEL,
      Object.fromEntries(grads.map((g, i) => [`g${i}`, g])),
      { members: grads[0].shape[0] },
    )[0];
  const sq = grads.map((g) => {
    const axes = [...Array(g.rank).keys()].slice(1);
    return tf.sum(tf.square(g), axes);
  });
  // Pairwise sums, not tf.addN: webgpu's AddN binds every input in one shader and fails past
  // the adapter's storage-buffer limit (8 on some devices) — a model has dozens of parameters.
  let level = sq;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? tf.add(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return tf.sqrt(level[0]);
}

/** Clipping coefficient per member: min(1, maxNorm/(norm + 1e-6)), as `clip_grad_norm_`. */
export function clipCoefficients(norms: tf.Tensor, maxNorm: number): tf.Tensor {
  // (Kept as ops: [K] elements, and the trainer needs the norms read back anyway.)
  return tf.minimum(tf.div(maxNorm, tf.add(norms, 1e-6)), 1);
}
