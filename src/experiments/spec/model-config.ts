/**
 * From a spec's model and training sections to the engine's configs: the one place a stored
 * variant becomes a `ModelConfig` / `TrainConfig`, used by the training worker, the analysis
 * and the studies alike.
 */
import type { ModelConfig } from '../../core/model/config';
import type { TrainConfig } from '../../core/train';
import type { ModelSpec, TrainingSpec } from './spec';

/** The engine's training config for a variant. */
export function trainConfigOf(t: TrainingSpec & { steps: number }): Partial<TrainConfig> {
  return {
    learningRate: t.lr,
    minLearningRate: t.schedule === 'constant' ? t.lr : t.lr * t.minLrRatio,
    warmupSteps: t.warmupSteps,
    totalSteps: t.steps,
    beta1: t.beta1,
    beta2: t.beta2,
    eps: t.eps,
    weightDecay: t.weightDecay,
    gradClip: t.gradClip,
  };
}

/** The engine's model config for a variant; the vocabulary comes from the tokenizer unless given. */
export function modelConfigOf(m: ModelSpec, vocabSize: number): ModelConfig {
  const { vocabSize: given, ...rest } = m;
  if (given !== undefined && given < vocabSize)
    throw new Error(
      `model.vocabSize (${given}) is smaller than the tokenizer's vocabulary (${vocabSize}); omit it to use the tokenizer's`,
    );
  return { ...rest, vocabSize: given ?? vocabSize };
}
