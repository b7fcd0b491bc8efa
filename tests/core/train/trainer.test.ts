import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import type { BackendName } from '../../../src/core/engine';
import type { ModelConfig } from '../../../src/core/model/config';
import { Transformer } from '../../../src/core/model/transformer';
import {
  Trainer,
  extractMember,
  runTraining,
  stackMembers,
  type TrainConfig,
} from '../../../src/core/train';
import type { Batch } from '../../../src/core/data/types';
import { TINY } from '../model/helpers';
import { batches, rel } from './helpers';

const TRAIN: Partial<TrainConfig> = { learningRate: 3e-3, warmupSteps: 2, totalSteps: 20 };

async function losses(
  cfg: ModelConfig,
  seeds: number[],
  data: (Batch | Batch[])[],
  train: Partial<TrainConfig> = TRAIN,
): Promise<number[][]> {
  const model = new Transformer(cfg, seeds);
  const trainer = new Trainer(model, train);
  const out: number[][] = [];
  for (const b of data) {
    const r = await trainer.trainStep(b);
    expect(r.status).toBe('ok');
    out.push(r.losses);
  }
  trainer.dispose();
  model.dispose();
  return out;
}

describe.each(['cpu', 'wasm'] as BackendName[])('Trainer on %s', (backend) => {
  it('trains each lockstep member exactly as it trains alone (shared and per-member batches, dropout)', async () => {
    await initBackend(backend);
    const cfg = { ...TINY, dropout: 0.1 };
    const seeds = [21, 22, 23];
    const shared = batches(1, 4);
    const ens = await losses(cfg, seeds, shared);
    const perData = seeds.map((_, k) => batches(100 + k, 4));
    const ensPer = await losses(
      cfg,
      seeds,
      [0, 1, 2, 3].map((s) => perData.map((d) => d[s])),
    );
    for (let k = 0; k < seeds.length; k++) {
      const solo = await losses(cfg, [seeds[k]], shared);
      const soloPer = await losses(cfg, [seeds[k]], perData[k]);
      for (let s = 0; s < shared.length; s++) {
        expect(rel(ens[s][k], solo[s][0])).toBeLessThan(1e-5);
        expect(rel(ensPer[s][k], soloPer[s][0])).toBeLessThan(1e-5);
      }
    }
  });

  it('is deterministic: same seeds ⇒ identical losses; another init seed ⇒ different', async () => {
    await initBackend(backend);
    const data = batches(2, 5);
    const cfg = { ...TINY, dropout: 0.1 };
    const a = await losses(cfg, [1], data);
    const b = await losses(cfg, [1], data);
    const c = await losses(cfg, [2], data);
    expect(a).toEqual(b);
    expect(a.flat()).not.toEqual(c.flat());
  });

  it('resumes from exported state with bit-identical losses, also per extracted member', async () => {
    await initBackend(backend);
    const cfg = { ...TINY, dropout: 0.1 };
    const data = batches(3, 6);
    const model = new Transformer(cfg, [5, 6]);
    const trainer = new Trainer(model, TRAIN);
    for (const b of data.slice(0, 3)) await trainer.trainStep(b);
    const state = await trainer.exportState();
    const after: number[][] = [];
    for (const b of data.slice(3)) after.push((await trainer.trainStep(b)).losses);

    const model2 = new Transformer(cfg, [0, 0]); // different init: everything comes from the state
    const trainer2 = new Trainer(model2, TRAIN);
    trainer2.importState(state);
    expect(trainer2.step).toBe(3);
    for (const [i, b] of data.slice(3).entries())
      expect((await trainer2.trainStep(b)).losses).toEqual(after[i]);

    const solo = new Transformer(cfg, [6]);
    const soloTrainer = new Trainer(solo, TRAIN);
    const member1 = extractMember(state, 1);
    expect(member1.shapes['param/blocks.0.attn.wq']).toEqual([1, 16, 16]);
    soloTrainer.importState(member1);
    for (const [i, b] of data.slice(3).entries())
      expect(rel((await soloTrainer.trainStep(b)).losses[0], after[i][1])).toBeLessThan(1e-5);

    const restacked = stackMembers([extractMember(state, 0), member1]);
    expect(restacked.tensors['adam_v/tok_emb']).toEqual(state.tensors['adam_v/tok_emb']);
    expect(restacked.dropoutRng).toEqual(state.dropoutRng);
    for (const t of [trainer, trainer2, soloTrainer]) t.dispose();
    for (const m of [model, model2, solo]) m.dispose();
  });

  it('keeps tf.memory().numTensors flat over 50 steps with dropout and evaluation', async () => {
    await initBackend(backend);
    const model = new Transformer({ ...TINY, dropout: 0.1 }, [1, 2]);
    const trainer = new Trainer(model, TRAIN);
    const data = batches(4, 5);
    const counts: number[] = [];
    await runTraining(trainer, {
      steps: 50,
      nextBatch: (s) => data[s % data.length],
      evalBatches: data.slice(0, 2),
      evalEvery: 10,
      onProgress: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(new Set(counts.slice(1)).size).toBe(1);
    trainer.dispose();
    model.dispose();
  });
});

describe('Trainer control flow (cpu)', () => {
  it('stops with a clear diverged status when the learning rate makes the loss non-finite', async () => {
    await initBackend('cpu');
    const model = new Transformer(TINY, [1]);
    const trainer = new Trainer(model, {
      learningRate: 1e12,
      warmupSteps: 0,
      gradClip: 0,
      totalSteps: 50,
    });
    const data = batches(5, 3);
    const before = tf.memory().numTensors;
    const out = await runTraining(trainer, { steps: 50, nextBatch: (s) => data[s % 3] });
    expect(out.status).toBe('diverged');
    if (out.status !== 'diverged') return;
    expect(out.step).toBeLessThanOrEqual(5);
    expect(out.member).toBe(0);
    expect(out.message).toMatch(
      /Training diverged at step \d+: (loss|gradient norm) of member 0 \(init seed 1\) is (NaN|-?Infinity)/,
    );
    expect(trainer.step).toBe(out.step - 1); // the bad step applied no update
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    model.dispose();
  });

  it('cancels between steps through an AbortSignal and reports progress', async () => {
    await initBackend('cpu');
    const model = new Transformer(TINY, [1, 2]);
    const trainer = new Trainer(model, TRAIN);
    const data = batches(6, 2);
    const ac = new AbortController();
    const seen: number[] = [];
    const out = await runTraining(trainer, {
      steps: 20,
      nextBatch: (s) => data[s % 2],
      signal: ac.signal,
      onProgress: (e) => {
        seen.push(e.step);
        expect(e.losses).toHaveLength(2);
        expect(e.tokensPerSecond).toBeGreaterThan(0);
        if (e.step === 3) ac.abort();
      },
    });
    expect(out).toMatchObject({ status: 'cancelled', step: 3 });
    expect(seen).toEqual([1, 2, 3]);
    trainer.dispose();
    model.dispose();
  });
});
