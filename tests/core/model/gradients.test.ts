/**
 * Analytic gradients (tfjs autodiff + our hand-written GELU, norm, linear and cross-entropy
 * gradients) against central finite differences, per parameter, on the cpu backend in float32.
 * For each parameter p we draw a random unit direction v and compare ⟨∇_p L, v⟩ with
 * (L(p + εv) − L(p − εv)) / 2ε. With ε = 1e-2 and L ≈ 2, float32 rounding contributes ~1e-5 and
 * truncation O(ε²); the tolerance is 2e-3 absolute + 3% relative.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import type { ModelConfig } from '../../../src/core/model/config';
import { Transformer } from '../../../src/core/model/transformer';
import { maskedCrossEntropy } from '../../../src/core/train/loss';
import { Rng } from '../../../src/core/rng';
import { TINY } from './helpers';

const CONFIGS: { name: string; cfg: ModelConfig }[] = [
  { name: 'learned / pre / layernorm / gelu / untied', cfg: { ...TINY, initStd: 0.3 } },
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
  {
    name: 'sinusoidal / pre / rmsnorm / gelu',
    cfg: { ...TINY, initStd: 0.3, positionalEncoding: 'sinusoidal', normType: 'rmsnorm' },
  },
];

describe('model gradients match finite differences (cpu, float32)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it.each(CONFIGS)('$name', ({ cfg }) => {
    const model = new Transformer(cfg, [3, 4]);
    const rng = new Rng(99);
    const B = 2;
    const T = 6;
    const inputs = tf.tensor(
      Int32Array.from({ length: B * T }, () => rng.int(cfg.vocabSize)),
      [B, T],
      'int32',
    );
    const targets = tf.tensor(
      Int32Array.from({ length: B * T }, () => rng.int(cfg.vocabSize)),
      [B * T],
      'int32',
    );
    const weights = tf.tensor(
      Float32Array.from({ length: B * T }, (_, i) => (i % 3 === 0 ? 0 : 1)),
      [B * T],
    );
    const loss = () =>
      tf.tidy(() => {
        const { logits } = model.forward(inputs);
        return tf.sum(
          maskedCrossEntropy(tf.reshape(logits, [2, B * T, cfg.vocabSize]), targets, weights),
        );
      });
    const names = Object.keys(model.params);
    const vars = names.map((n) => model.params[n]);
    const { value, grads } = tf.variableGrads(() => loss() as tf.Scalar, vars);
    value.dispose();
    const eps = 1e-2;
    const failures: string[] = [];
    for (const [i, name] of names.entries()) {
      const p = vars[i];
      const original = p.dataSync().slice();
      const dir = Float32Array.from({ length: original.length }, () => rng.normal());
      const norm = Math.hypot(...dir);
      for (let j = 0; j < dir.length; j++) dir[j] /= norm;
      const g = grads[p.name].dataSync();
      let analytic = 0;
      for (let j = 0; j < dir.length; j++) analytic += g[j] * dir[j];
      const at = (s: number) => {
        p.assign(
          tf.tensor(
            original.map((x, j) => x + s * eps * dir[j]),
            p.shape,
          ),
        );
        const l = loss();
        const v = l.dataSync()[0];
        l.dispose();
        return v;
      };
      const numeric = (at(1) - at(-1)) / (2 * eps);
      p.assign(tf.tensor(original, p.shape));
      if (Math.abs(numeric - analytic) > 2e-3 + 0.03 * Math.abs(analytic))
        failures.push(
          `${name}: analytic ${analytic.toExponential(4)} vs numeric ${numeric.toExponential(4)}`,
        );
    }
    expect(failures).toEqual([]);
    tf.dispose([inputs, targets, weights, grads] as tf.TensorContainer);
    model.dispose();
  });
});
