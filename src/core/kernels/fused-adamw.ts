/**
 * The AdamW update and the per-member gradient norms as single-pass heap kernels (see
 * `heap-kernel.ts`): ~15 tfjs ops per parameter per step become one.
 *
 * The update reproduces the float32 op chain of `src/core/train/adamw.ts` element for element:
 * each intermediate is rounded to float32 (`Math.fround`) exactly where a tfjs op would round it,
 * and a double-precision result of +, −, ×, ÷ or √ rounded once to float32 equals the float32
 * operation. So the fused update is bit-identical to the op chain (tested). The wasm SIMD version
 * (adamw-simd.wat) does the same float32 operations four at a time, so it is bit-identical too.
 */
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import * as ADAMW_SIMD from './adamw-simd-wasm';
import { registerHeapKernel } from './heap-kernel';
import type { WasmBackendHandle } from './wasm-simd';
import { simdExports } from './wasm-simd';

export const ADAMW_KERNEL = 'HomolabAdamW';
export const MEMBER_NORMS_KERNEL = 'HomolabMemberGradNorms';

/** Attributes of one AdamW update (all plain numbers, as the op chain's scalars). */
export interface AdamWAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ. */
  bc1: number;
  bc2: number;
  lr: number;
  /** Multiplier of p before the step: 1 − lr·λ for decayed parameters, else 1 (no multiply). */
  decayFactor: number;
  /** Per-member gradient multiplier (clipping), or empty for none. */
  scale: number[];
}

const f = Math.fround;

/** Inputs p, g, m, v (`[K, ...]`); outputs p', m', v'. */
function adamw(
  [p, g, m, v]: Float32Array[],
  [po, mo, vo]: Float32Array[],
  _shapes: number[][],
  attrs: NamedAttrMap,
): void {
  const a = attrs as unknown as AdamWAttrs;
  const b1 = f(a.beta1);
  const c1 = f(1 - a.beta1);
  const b2 = f(a.beta2);
  const c2 = f(1 - a.beta2);
  const bc2 = f(a.bc2);
  const eps = f(a.eps);
  const stepSize = f(a.lr / a.bc1);
  const decay = a.decayFactor === 1 ? 1 : f(a.decayFactor);
  const K = a.scale.length || 1;
  const per = (p.length / K) | 0;
  for (let k = 0; k < K; k++) {
    const s = a.scale.length ? f(a.scale[k]) : 1;
    const end = (k + 1) * per;
    for (let i = k * per; i < end; i++) {
      const gi = a.scale.length ? f(g[i] * s) : g[i];
      const mi = f(f(m[i] * b1) + f(gi * c1));
      const vi = f(f(v[i] * b2) + f(f(gi * gi) * c2));
      const denom = f(f(Math.sqrt(f(vi / bc2))) + eps);
      const step = f(f(mi / denom) * stepSize);
      const pi = decay === 1 ? p[i] : f(p[i] * decay);
      po[i] = pi - step;
      mo[i] = mi;
      vo[i] = vi;
    }
  }
}

type SimdAdamW = (
  p: number,
  g: number,
  m: number,
  v: number,
  po: number,
  mo: number,
  vo: number,
  n: number,
  ...f32: number[]
) => void;

/** The same update in f32x4 SIMD on the wasm heap (adamw-simd.wat); bit-identical. */
function simdAdamw(
  be: WasmBackendHandle,
  [p, g, m, v]: number[],
  [po, mo, vo]: number[],
  [shape]: number[][],
  attrs: NamedAttrMap,
): boolean {
  const ex = simdExports(be, ADAMW_SIMD);
  if (!ex) return false;
  const a = attrs as unknown as AdamWAttrs;
  const K = a.scale.length || 1;
  const per = (shape.reduce((x, y) => x * y, 1) / K) | 0;
  const stepSize = f(a.lr / a.bc1);
  for (let k = 0; k < K; k++) {
    const o = 4 * k * per;
    // f32 parameters: the wasm call rounds each number to float32 as Math.fround does.
    (ex.adamw as SimdAdamW)(
      p + o,
      g + o,
      m + o,
      v + o,
      po + o,
      mo + o,
      vo + o,
      per,
      a.scale.length ? a.scale[k] : 1,
      a.beta1,
      1 - a.beta1,
      a.beta2,
      1 - a.beta2,
      a.bc2,
      a.eps,
      stepSize,
      a.decayFactor,
    );
  }
  return true;
}

/** Inputs: any number of gradients `[K, ...]`; output `[K]`: √(Σ over all of them of g²). */
function memberNorms(
  grads: Float32Array[],
  [out]: Float32Array[],
  _shapes: number[][],
  attrs: NamedAttrMap,
): void {
  const K = (attrs as { members: number }).members;
  const acc = new Float64Array(K);
  for (const g of grads) {
    const per = (g.length / K) | 0;
    for (let k = 0; k < K; k++) {
      let s = 0;
      const end = (k + 1) * per;
      for (let i = k * per; i < end; i++) s += g[i] * g[i];
      acc[k] += s;
    }
  }
  for (let k = 0; k < K; k++) out[k] = Math.sqrt(acc[k]);
}

/** Registers both kernels for the heap backends (idempotent). */
export function registerFusedAdamW(): void {
  registerHeapKernel({
    name: ADAMW_KERNEL,
    outputShapes: ([p]) => [p, p, p],
    compute: adamw,
    simd: simdAdamw,
  });
  registerHeapKernel({
    name: MEMBER_NORMS_KERNEL,
    outputShapes: (_s, attrs) => [[(attrs as { members: number }).members]],
    compute: memberNorms,
  });
}

registerFusedAdamW();
