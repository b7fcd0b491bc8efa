import { describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../../src/core/engine';
import { Transformer } from '../../../src/core/model/transformer';
import { Trainer } from '../../../src/core/train';
import { AXIS_VARIANTS } from '../model/helpers';
import { batches } from './helpers';

// Every value of every architectural axis trains on both CPU backends: finite losses, and a
// few steps on one repeated batch lower its loss (the update goes downhill).
describe.each(['cpu', 'wasm'] as BackendName[])('every config axis trains on %s', (backend) => {
  it.each(AXIS_VARIANTS)('$name', async ({ cfg }) => {
    await initBackend(backend);
    const model = new Transformer(cfg, [1, 2]);
    const trainer = new Trainer(model, { learningRate: 1e-2, warmupSteps: 0, totalSteps: 10 });
    const [batch] = batches(7, 1);
    const losses: number[][] = [];
    for (let s = 0; s < 4; s++) {
      const r = await trainer.trainStep(batch);
      expect(r.status).toBe('ok');
      losses.push(r.losses);
    }
    for (const l of losses.flat()) expect(Number.isFinite(l)).toBe(true);
    for (let k = 0; k < 2; k++) expect(losses[3][k]).toBeLessThan(losses[0][k]);
    const ev = await trainer.evaluate([batch]);
    expect(ev.accuracies.every((a) => a >= 0 && a <= 1)).toBe(true);
    trainer.dispose();
    model.dispose();
  });
});
