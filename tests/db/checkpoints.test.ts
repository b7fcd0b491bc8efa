import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store';
import { Rng } from '../../src/core/rng';
import { tempDir, tensors, type TempDir } from './helpers';

let t: TempDir;
afterEach(() => t?.cleanup());

describe('checkpoints', () => {
  it('saves weights, optimizer, cursor, RNG and step together and reads the latest back', () => {
    t = tempDir();
    const s = openStore(t.file('c.db'));
    const e = s.experiments.create({ name: 'e', spec: {} });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'r',
      variant: {},
      initSeed: 1,
      dataSeed: 1,
    });
    const rng = new Rng(9);
    expect(s.checkpoints.latest(r.id)).toBeNull();
    const saved = [10, 30, 20].map((step) => {
      const weights = tensors(rng, { 'blocks.0.attn.wq': [16, 16], 'ln.g': [16] });
      const optimizer = tensors(rng, { 'm.blocks.0.attn.wq': [16, 16], 'v.ln.g': [16] });
      const info = s.checkpoints.save(r.id, {
        step,
        tokens: step * 100,
        weights,
        optimizer,
        dataCursor: { offset: step },
        rngState: { dropout: [1, 2, 3, step] },
        meta: { lr: 0.001 },
      });
      expect(info).toMatchObject({ runId: r.id, step, tokens: step * 100 });
      expect(info.weightsBytes).toBeGreaterThan(17 * 16 * 4);
      return { step, weights, optimizer };
    });
    const latest = s.checkpoints.latest(r.id)!;
    expect(latest.step).toBe(30);
    expect(latest.dataCursor).toEqual({ offset: 30 });
    expect(latest.rngState).toEqual({ dropout: [1, 2, 3, 30] });
    expect(latest.meta).toEqual({ lr: 0.001 });
    expect(latest.weights['ln.g'].data).toEqual(saved[1].weights['ln.g'].data);
    expect(latest.optimizer['m.blocks.0.attn.wq'].shape).toEqual([16, 16]);
    expect(s.checkpoints.list(r.id).map((c) => c.step)).toEqual([10, 20, 30]);
    expect(s.checkpoints.verify(latest.id)).toBe(true);
    expect(s.checkpoints.atStep(r.id, 20)!.weights['blocks.0.attn.wq'].data).toEqual(
      saved[2].weights['blocks.0.attn.wq'].data,
    );
    s.close();
  });

  it('commits pending metrics in the checkpoint transaction', () => {
    t = tempDir();
    const s = openStore(t.file('m.db'));
    const e = s.experiments.create({ name: 'e', spec: {} });
    const r = s.runs.create({
      experimentId: e.id,
      name: 'r',
      variant: {},
      initSeed: 1,
      dataSeed: 1,
    });
    const w = s.metrics.writer({ batchSize: 1000 });
    for (let i = 0; i < 5; i++) w.addStep(r.id, i, i, i, { loss: i });
    expect(s.metrics.count(r.id)).toBe(0);
    s.checkpoints.save(
      r.id,
      { step: 4, weights: {}, optimizer: {}, dataCursor: null, rngState: null },
      { metrics: w },
    );
    expect(w.pending).toBe(0);
    expect(s.metrics.count(r.id)).toBe(5);
    // A failing save (bad RNG state) rolls back the metrics too.
    for (let i = 5; i < 8; i++) w.addStep(r.id, i, i, i, { loss: i });
    expect(() =>
      s.checkpoints.save(
        r.id,
        { step: 7, weights: {}, optimizer: {}, dataCursor: null, rngState: NaN },
        { metrics: w },
      ),
    ).toThrow(/non-finite/);
    expect(s.metrics.count(r.id)).toBe(5);
    expect(s.checkpoints.list(r.id).map((c) => c.step)).toEqual([4]);
    s.close();
  });
});
