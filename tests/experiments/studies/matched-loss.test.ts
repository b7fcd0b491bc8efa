/**
 * Matched-loss selection on a real store with constructed validation curves: the target is the
 * highest best loss among runs that learned, each run is taken at its first checkpoint at or
 * below it, and a run that never learned is left out of the target.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store';
import { matchLoss } from '../../../src/experiments/studies';

const store = openStore(join(mkdtempSync(join(tmpdir(), 'homolab-matched-')), 'lab.sqlite'));
afterAll(() => store.close());

function run(curve: number[]): number {
  const exp = store.experiments.create({ name: 'm', spec: {} });
  const r = store.runs.create({
    experimentId: exp.id,
    name: 'r',
    variant: {},
    initSeed: 0,
    dataSeed: 0,
  });
  const w = store.metrics.writer();
  curve.forEach((loss, i) => {
    const step = (i + 1) * 10;
    w.addStep(r.id, step, step, step, { eval_loss: loss });
    store.checkpoints.save(r.id, {
      step,
      weights: { 'param/x': { shape: [1, 1], data: new Float32Array([i]) } },
      optimizer: {},
      dataCursor: {},
      rngState: {},
    });
  });
  w.flush();
  return r.id;
}

describe('matchLoss', () => {
  it('matches every run at the loss the slowest learner reaches', () => {
    const fast = run([2.0, 1.0, 0.5, 0.4]);
    const slow = run([2.0, 1.6, 1.2, 0.9]);
    const flat = run([2.0, 2.0, 1.95, 1.9]); // best 1.9 is only 5% below 2.0: did not learn
    const m = matchLoss(store, [fast, slow, flat]);
    expect(m.target).toBeCloseTo(0.9, 6);
    expect(m.notLearned).toEqual([flat]);
    expect(m.selections.map((s) => s.step)).toEqual([30, 40, 40]);
    // Without the learning criterion the flat run would set the target at 1.9.
    const loose = matchLoss(store, [fast, slow, flat], { minImprovement: 0 });
    expect(loose.target).toBeCloseTo(1.9, 6);
    expect(loose.selections.map((s) => s.step)).toEqual([20, 20, 40]);
  });
});
