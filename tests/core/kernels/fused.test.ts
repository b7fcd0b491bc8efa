/**
 * The fused heap kernels (src/core/kernels) against the portable tfjs op chains they replace,
 * on both heap backends: same forward values and gradients up to float32 rounding, and an AdamW
 * update that is bit-identical. `setFusedKernels(false)` switches the model and optimizer back
 * to the op chains in the same process, so each comparison runs the very same model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import { setFusedKernels, transposeInto } from '../../../src/core/kernels';
import type { ModelConfig } from '../../../src/core/model/config';
import { Transformer } from '../../../src/core/model/transformer';
import { Rng } from '../../../src/core/rng';
import { AdamW, memberGradNorms } from '../../../src/core/train/adamw';
import { maskedCrossEntropy } from '../../../src/core/train/loss';
import { TINY } from '../model/helpers';

const VARIANTS: { name: string; cfg: ModelConfig }[] = [
  { name: 'learned / pre / layernorm / gelu', cfg: { ...TINY, initStd: 0.3 } },
  {
    name: 'rope / post / rmsnorm / relu / tied',
    cfg: {
      ...TINY,
      initStd: 0.3,
      positionalEncoding: 'rope',
      normPlacement: 'post',
      normType: 'rmsnorm',
      activation: 'relu',
      tiedEmbeddings: true,
    },
  },
];

/** Loss and every gradient of a 2-member model on a fixed batch (T shorter than the context). */
function lossAndGrads(model: Transformer, fused: boolean): Record<string, Float32Array> {
  setFusedKernels(fused);
  try {
    const rng = new Rng(5);
    const B = 3;
    const T = 7;
    const V = model.config.vocabSize;
    return tf.tidy(() => {
      const inputs = tf.tensor(
        Int32Array.from({ length: B * T }, () => rng.int(V)),
        [B, T],
        'int32',
      );
      const targets = tf.tensor(
        Int32Array.from({ length: B * T }, () => rng.int(V)),
        [B * T],
        'int32',
      );
      const weights = tf.ones([B * T]);
      const names = Object.keys(model.params);
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = model.forward(inputs);
        const flat = tf.reshape(logits, [model.members, B * T, V]);
        return tf.sum(maskedCrossEntropy(flat, targets, weights)) as tf.Scalar;
      });
      const out: Record<string, Float32Array> = { loss: value.dataSync() as Float32Array };
      for (const n of names) out[n] = grads[model.params[n].name].dataSync() as Float32Array;
      return out;
    });
  } finally {
    setFusedKernels(true);
  }
}

/**
 * Largest |a − b| relative to the largest |a| of the tensor (gradients span decades), floored at
 * 1e-3: the key bias's gradient is exactly 0 in exact arithmetic (softmax ignores a constant
 * added to a row), so both paths return rounding noise there.
 */
function maxScaledDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1e-3;
  for (const x of a) scale = Math.max(scale, Math.abs(x));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / scale;
}

describe.each(['cpu', 'wasm'] as const)('fused kernels on %s', (backend) => {
  afterAll(() => setFusedKernels(true));

  it.each(VARIANTS)('model loss and gradients equal the op chain: $name', async ({ cfg }) => {
    await initBackend(backend);
    const model = new Transformer(cfg, [1, 2]);
    const fused = lossAndGrads(model, true);
    const chain = lossAndGrads(model, false);
    model.dispose();
    const bad: string[] = [];
    for (const [name, a] of Object.entries(chain)) {
      const diff = maxScaledDiff(a, fused[name]);
      if (!(diff < 2e-5)) bad.push(`${name}: ${diff.toExponential(2)}`);
    }
    expect(bad).toEqual([]);
  });

  it('AdamW: the fused update is bit-identical to the op chain (with clipping and decay)', async () => {
    await initBackend(backend);
    const shapes: Record<string, number[]> = { w: [2, 5, 3], b: [2, 3] };
    const run = (fused: boolean) => {
      setFusedKernels(fused);
      const r = new Rng(3);
      const rng = new Rng(8);
      const rand = (n: number, s: number) =>
        Float32Array.from({ length: n }, () => rng.normal() * s);
      const params = Object.fromEntries(
        Object.entries(shapes).map(([n, s]) => [
          n,
          tf.variable(
            tf.tensor(
              Float32Array.from({ length: s.reduce((a, b) => a * b) }, () => r.normal()),
              s,
            ),
          ),
        ]),
      );
      const opt = new AdamW(params, new Set(['w']), {
        beta1: 0.9,
        beta2: 0.99,
        eps: 1e-8,
        weightDecay: 0.1,
      });
      for (let step = 0; step < 3; step++)
        tf.tidy(() => {
          const grads = Object.fromEntries(
            Object.entries(shapes).map(([n, s]) => [
              n,
              tf.tensor(
                rand(
                  s.reduce((a, b) => a * b),
                  3,
                ),
                s,
              ),
            ]),
          );
          opt.apply(grads, 1e-2 * (step + 1), step === 1 ? [0.25, 1] : undefined);
        });
      const out = Object.keys(shapes).flatMap((n) => [
        ...params[n].dataSync(),
        ...opt.m[n].dataSync(),
        ...opt.v[n].dataSync(),
      ]);
      opt.dispose();
      tf.dispose(Object.values(params));
      setFusedKernels(true);
      return out;
    };
    const fused = run(true);
    const chain = run(false);
    expect(fused).toEqual(chain);
  });

  it('per-member gradient norms match the op chain', async () => {
    await initBackend(backend);
    const rng = new Rng(2);
    const gs = [
      tf.tensor(
        Float32Array.from({ length: 2 * 12 }, () => rng.normal()),
        [2, 3, 4],
      ),
      tf.tensor(
        Float32Array.from({ length: 2 * 5 }, () => rng.normal()),
        [2, 5],
      ),
    ];
    setFusedKernels(false);
    const chain = memberGradNorms(gs);
    setFusedKernels(true);
    const fused = memberGradNorms(gs);
    const a = chain.dataSync();
    const b = fused.dataSync();
    for (let k = 0; k < 2; k++) expect(Math.abs(a[k] - b[k]) / a[k]).toBeLessThan(1e-6);
    tf.dispose([...gs, chain, fused]);
  });
});

describe('heap transpose', () => {
  it.each([
    { shape: [4, 5], perm: [1, 0] },
    { shape: [3, 4, 5], perm: [0, 2, 1] },
    { shape: [2, 3, 4, 5], perm: [0, 2, 1, 3] },
    { shape: [2, 1, 4, 3], perm: [3, 0, 2, 1] },
    { shape: [2, 3, 4, 5, 2], perm: [4, 2, 0, 3, 1] },
    { shape: [1, 6, 1], perm: [2, 1, 0] },
  ])('$shape by $perm equals tfjs cpu', async ({ shape, perm }) => {
    await initBackend('cpu');
    const n = shape.reduce((a, b) => a * b);
    const x = Float32Array.from({ length: n }, (_, i) => i);
    const expected = tf.tidy(() => tf.transpose(tf.tensor(x, shape), perm).dataSync());
    const out = new Float32Array(n);
    transposeInto(x, out, shape, perm);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('is what the wasm backend now runs', async () => {
    await initBackend('wasm');
    const x = tf.tensor(
      Float32Array.from({ length: 24 }, (_, i) => i),
      [2, 3, 4],
    );
    const y = tf.transpose(x, [2, 0, 1]);
    const expected = new Float32Array(24);
    transposeInto(x.dataSync() as Float32Array, expected, [2, 3, 4], [2, 0, 1]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected));
    tf.dispose([x, y]);
  });
});
