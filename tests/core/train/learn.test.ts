import { expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import { Transformer } from '../../../src/core/model/transformer';
import { Trainer, copyTaskBatch, runTraining } from '../../../src/core/train';
import { Rng } from '../../../src/core/rng';
import { TINY } from '../model/helpers';

it('a tiny model learns to reverse sequences to ≥ 95% validation accuracy within 300 steps on wasm', async () => {
  await initBackend('wasm');
  const task = { batchSize: 32, length: 5, symbols: 8, reverse: true };
  const model = new Transformer({ ...TINY, contextLength: 10, dModel: 32 }, [1]);
  const trainer = new Trainer(model, {
    learningRate: 3e-3,
    minLearningRate: 3e-4,
    warmupSteps: 20,
    totalSteps: 300,
    weightDecay: 0.01,
  });
  const train = new Rng(2);
  const valRng = new Rng(3); // disjoint stream: validation sequences are not the training ones
  const val = Array.from({ length: 4 }, () => copyTaskBatch(valRng, task));
  const ac = new AbortController();
  let best = 0;
  await runTraining(trainer, {
    steps: 300,
    nextBatch: () => copyTaskBatch(train, task),
    evalBatches: val,
    evalEvery: 25,
    signal: ac.signal,
    onEval: (e) => {
      best = Math.max(best, e.accuracies[0]);
      if (best >= 0.95) ac.abort();
    },
  });
  expect(best).toBeGreaterThanOrEqual(0.95);
  trainer.dispose();
  model.dispose();
});
