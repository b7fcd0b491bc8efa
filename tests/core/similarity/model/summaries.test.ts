/**
 * Permutation-invariant spectra, within-run trajectories and the loss barrier, on trained tiny
 * models (cpu backend) and fresh random permutations / invertible maps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/core/engine';
import { Rng } from '../../../../src/core/rng';
import {
  barrierOf,
  initialWeights,
  lossBarrier,
  modelSpectra,
  permuteModel,
  randomPermutation,
  spectraDistance,
  weightTrajectory,
  type ModelWeights,
} from '../../../../src/core/similarity/model';
import { copyTaskBatch } from '../../../../src/core/train';
import { TASK, TINY, trainModels } from './helpers';

let a: ModelWeights;
let b: ModelWeights;

beforeAll(async () => {
  await initBackend('cpu');
  [a, b] = await trainModels(TINY, [1, 2], 15);
});

const freshRng = () => new Rng(Math.floor(Math.random() * 2 ** 31));

describe('modelSpectra', () => {
  it('is unchanged by any function-preserving permutation', () => {
    const p = permuteModel(TINY, a, randomPermutation(TINY, freshRng()));
    const d = spectraDistance(modelSpectra(TINY, a), modelSpectra(TINY, p));
    expect(d.mean).toBeLessThan(1e-6);
    expect(spectraDistance(modelSpectra(TINY, a), modelSpectra(TINY, b)).mean).toBeGreaterThan(
      1e-3,
    );
  });

  it('per-head QK and OV spectra ignore an invertible map inside a head', () => {
    const s0 = modelSpectra(TINY, a);
    // W_Q^h → W_Q^h·M, W_K^h → W_K^h·M⁻ᵀ with M = diag(c) (c > 0 random): scores unchanged.
    const w = structuredClone(a);
    const hd = TINY.dModel / TINY.nHeads;
    const rng = freshRng();
    const c = Array.from({ length: hd }, () => 0.5 + rng.next() * 2);
    const q = w['blocks.0.attn.wq'];
    const k = w['blocks.0.attn.wk'];
    for (let r = 0; r < TINY.dModel; r++)
      for (let j = 0; j < hd; j++) {
        q.data[r * TINY.dModel + j] *= c[j];
        k.data[r * TINY.dModel + j] /= c[j];
      }
    const s1 = modelSpectra(TINY, w);
    const qk0 = s0.qk['blocks.0'][0];
    const qk1 = s1.qk['blocks.0'][0];
    qk0.forEach((v, i) => expect(qk1[i]).toBeCloseTo(v, 5));
    // The per-matrix spectrum of W_Q did change: only the product is invariant.
    const d = spectraDistance(s0, s1);
    expect(d.matrices['blocks.0.attn.wq']).toBeGreaterThan(1e-3);
    expect(d.qk['blocks.0']).toBeLessThan(1e-5);
  });
});

describe('weightTrajectory', () => {
  it('measures distance and cosine to the init and to the final checkpoint', () => {
    const init = initialWeights(TINY, 1);
    const t = weightTrajectory(init, [
      { step: 15, weights: a },
      { step: 0, weights: init },
    ]);
    expect(t.steps).toEqual([0, 15]);
    expect(t.distanceToInit[0]).toBe(0);
    expect(t.cosineToInit[0]).toBeCloseTo(1, 12);
    expect(t.distanceToInit[1]).toBeGreaterThan(0);
    expect(t.distanceToFinal[1]).toBe(0);
    expect(t.distanceToFinal[0]).toBeCloseTo(t.distanceToInit[1], 10);
    expect(t.relativeToInit[1]).toBeGreaterThan(0);
  });
});

describe('loss barrier', () => {
  it('is the largest excess over the straight line between the end losses', () => {
    const c = barrierOf([0, 0.5, 1], [1, 3, 2]);
    expect(c.barrier).toBeCloseTo(1.5, 12);
    expect(c.argmax).toBe(0.5);
    expect(barrierOf([0, 0.5, 1], [1, 1.5, 2]).barrier).toBeCloseTo(0, 12);
    expect(() => barrierOf([0.1, 1], [1, 2])).toThrow(/start at 0/);
  });

  it('is 0 between a model and its aligned permuted copy, and not for the unaligned one', async () => {
    const batch = copyTaskBatch(new Rng(7), TASK);
    const permuted = permuteModel(TINY, a, randomPermutation(TINY, freshRng()));
    const alphas = [0, 0.25, 0.5, 0.75, 1];
    const same = await lossBarrier(TINY, a, a, batch, { alphas });
    expect(Math.abs(same.barrier)).toBeLessThan(1e-5);
    expect(same.losses[0]).toBeCloseTo(same.losses[4], 5);
    const naive = await lossBarrier(TINY, a, permuted, batch, { alphas });
    // The permuted copy computes the same function: equal end losses, a bump in between.
    expect(naive.losses[4]).toBeCloseTo(naive.losses[0], 4);
    expect(naive.barrier).toBeGreaterThan(0.01);
  });
});
