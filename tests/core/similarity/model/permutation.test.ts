/**
 * Function-preserving permutations on the real engine (cpu backend): a randomly permuted copy
 * of a trained model gives the same logits, and weight matching recovers the permutation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/core/engine';
import type { ModelConfig } from '../../../../src/core/model/config';
import { Transformer } from '../../../../src/core/model/transformer';
import { Rng } from '../../../../src/core/rng';
import {
  alignModels,
  identityPermutation,
  invertPermutation,
  matchTransformers,
  permuteModel,
  permutationSymmetries,
  randomPermutation,
  samePermutation,
  stackWeights,
  type ModelWeights,
} from '../../../../src/core/similarity/model';
import { copyTaskBatch } from '../../../../src/core/train';
import { TASK, TINY, trainModels } from './helpers';

beforeAll(async () => {
  await initBackend('cpu');
});

async function logitsOf(config: ModelConfig, models: ModelWeights[]): Promise<Float32Array[]> {
  const m = new Transformer(
    config,
    models.map(() => 0),
  );
  m.loadParams(stackWeights(models));
  const batch = copyTaskBatch(new Rng(99), { ...TASK, batchSize: 8 });
  const t = tf.tidy(
    () => m.forward(tf.tensor(batch.inputs, [8, config.contextLength], 'int32')).logits,
  );
  const data = (await t.data()) as Float32Array;
  t.dispose();
  m.dispose();
  const n = data.length / models.length;
  return models.map((_, k) => data.slice(k * n, (k + 1) * n));
}

// One short training per config, shared by both suites (the cpu backend is slow).
const cache = new Map<string, Promise<ModelWeights[]>>();
const trained = (cfg: ModelConfig) => {
  const key = JSON.stringify(cfg);
  if (!cache.has(key)) cache.set(key, trainModels(cfg, [5], 15));
  return cache.get(key)!;
};

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

const CONFIGS: { name: string; cfg: ModelConfig }[] = [
  { name: 'pre-norm layernorm gelu', cfg: TINY },
  {
    name: 'post-norm rmsnorm relu, tied',
    cfg: {
      ...TINY,
      normPlacement: 'post',
      normType: 'rmsnorm',
      activation: 'relu',
      tiedEmbeddings: true,
    },
  },
  { name: 'rope (no Q/K dim permutations)', cfg: { ...TINY, positionalEncoding: 'rope' } },
  {
    name: 'sinusoidal (no residual permutation)',
    cfg: { ...TINY, positionalEncoding: 'sinusoidal' },
  },
];

describe('permuteModel', () => {
  it.each(CONFIGS)('a random permuted copy gives the same logits: $name', async ({ cfg }) => {
    const [w] = await trained(cfg);
    const rng = new Rng(Math.floor(Math.random() * 2 ** 31)); // fresh permutation every run
    const p = randomPermutation(cfg, rng);
    const permuted = permuteModel(cfg, w, p);
    // The weights really moved (else the test proves nothing) …
    const moved = Object.keys(w).some((k) => maxAbsDiff(w[k].data, permuted[k].data) > 1e-3);
    expect(moved).toBe(true);
    // … yet the function is the same (float32 sums in another order: rounding only).
    const [la, lb] = await logitsOf(cfg, [w, permuted]);
    const scale = la.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(scale).toBeGreaterThan(0.1);
    expect(maxAbsDiff(la, lb)).toBeLessThan(1e-5 * Math.max(1, scale));
    // And the inverse undoes it exactly.
    const back = permuteModel(cfg, permuted, invertPermutation(p));
    for (const k of Object.keys(w)) expect(Array.from(back[k].data)).toEqual(Array.from(w[k].data));
  });

  it('refuses symmetries the architecture lacks', () => {
    const sin = { ...TINY, positionalEncoding: 'sinusoidal' as const };
    expect(permutationSymmetries(sin).residual).toBe(false);
    const p = identityPermutation(sin);
    p.residual.reverse();
    const w = Object.fromEntries(
      Object.entries(stackWeightsShape(sin)).map(([k, s]) => [
        k,
        { shape: s, data: new Float32Array(s.reduce((a, b) => a * b, 1)) },
      ]),
    );
    expect(() => permuteModel(sin, w, p)).toThrow(/sinusoidal/);
    const rope = { ...TINY, positionalEncoding: 'rope' as const };
    const q = identityPermutation(rope);
    q.layers[0].qkDims[0].reverse();
    expect(() => permuteModel(rope, w, q)).toThrow(/RoPE/);
  });
});

function stackWeightsShape(cfg: ModelConfig): Record<string, number[]> {
  const m = new Transformer(cfg, [0]);
  const out = Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, v.shape.slice(1)]));
  m.dispose();
  return out;
}

describe('matchTransformers', () => {
  it.each(CONFIGS)('recovers a random permutation of a trained model: $name', async ({ cfg }) => {
    const [w] = await trained(cfg);
    const p = randomPermutation(cfg, new Rng(Math.floor(Math.random() * 2 ** 31)));
    const b = permuteModel(cfg, w, p);
    const r = alignModels(cfg, w, b);
    expect(r.match.converged).toBe(true);
    expect(r.aligned.distance).toBeLessThan(1e-6);
    expect(r.aligned.cosine).toBeCloseTo(1, 10);
    expect(r.naive.relativeDistance).toBeGreaterThan(0.1);
    expect(samePermutation(r.match.permutation, invertPermutation(p))).toBe(true);
  });

  it('brings two seeds closer than the naive comparison, never further', async () => {
    const [a, b] = await trainModels(TINY, [1, 2], 15);
    const r = alignModels(TINY, a, b);
    expect(r.match.objectiveAfter).toBeGreaterThanOrEqual(r.match.objectiveBefore);
    expect(r.aligned.distance).toBeLessThan(r.naive.distance);
    expect(r.aligned.cosine).toBeGreaterThan(r.naive.cosine);
    // Matching B to itself is the identity.
    const self = matchTransformers(TINY, a, a);
    expect(samePermutation(self.permutation, identityPermutation(TINY))).toBe(true);
  });
});
