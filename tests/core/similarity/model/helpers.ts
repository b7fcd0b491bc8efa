/** Small trained models for the model-aware similarity tests (seconds on the cpu backend). */
import type { ModelConfig } from '../../../../src/core/model/config';
import { TINY } from '../../model/helpers';
import { Transformer } from '../../../../src/core/model/transformer';
import { memberWeights, type ModelWeights } from '../../../../src/core/similarity/model';
import { copyTaskBatch, Trainer, type ToyTaskOptions } from '../../../../src/core/train';
import { Rng } from '../../../../src/core/rng';

export { TINY };

export const TASK: ToyTaskOptions = { batchSize: 16, length: 4, symbols: 8, reverse: true };

/** Trains one model per seed (in lockstep, identical batches) and returns each member's weights. */
export async function trainModels(
  config: ModelConfig,
  seeds: number[],
  steps: number,
  task: ToyTaskOptions = TASK,
  lr = 3e-3,
): Promise<ModelWeights[]> {
  const model = new Transformer(config, seeds);
  const trainer = new Trainer(model, {
    learningRate: lr,
    minLearningRate: lr / 10,
    warmupSteps: Math.min(10, steps),
    totalSteps: steps,
    weightDecay: 0.01,
  });
  const rng = new Rng(1234);
  for (let i = 0; i < steps; i++) await trainer.trainStep(copyTaskBatch(rng, task));
  const rec = await model.exportParams();
  trainer.dispose();
  model.dispose();
  return seeds.map((_, k) => memberWeights(rec, k));
}
