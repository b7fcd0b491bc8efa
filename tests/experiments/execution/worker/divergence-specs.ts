/**
 * Experiment specs under which training diverges (a non-finite loss or gradient), for the
 * lockstep divergence tests and for `find-diverging-seeds.ts`, which searches the init seeds
 * those tests hard-code.
 */
import { getPreset } from '../../../../src/experiments/spec/presets';
import type { ExperimentSpecInput } from '../../../../src/experiments/spec/spec';

/** Validation and checkpoint cadence of every divergence spec. */
export const EVERY = 4;

/**
 * Member-dependent divergence. Adam with beta2 = 0 and eps = 1e-16 divides the momentum by
 * |g| + eps, so a parameter whose gradient turns exactly 0 after being non-zero (a ReLU unit
 * that the batch and dropout leave dead) jumps by about lr·m/eps and blows up a later forward
 * or backward pass. Which units die depends on the init seed (and on the member's dropout
 * stream, seeded by it), so some seeds diverge within a few steps and others do not for dozens.
 * Tied embeddings and sinusoidal positions remove the parameters whose zero gradients depend on
 * the data alone (tokens absent from a batch, unused positions), which would make every seed
 * diverge together. Dropout > 0 also makes the tests check the members' dropout streams.
 */
export function memberDivergenceSpec(name: string, seeds: number[], steps: number) {
  return tinySpec(
    name,
    seeds,
    steps,
    { activation: 'relu', tiedEmbeddings: true, positionalEncoding: 'sinusoidal', dropout: 0.1 },
    { lr: 0.01, weightDecay: 0, beta2: 0, eps: 1e-16 },
  );
}

/**
 * Every seed diverges: decoupled weight decay multiplies the matrices by 1 − lr·λ = −99 each
 * step, so the weights overflow float32 within a dozen steps whatever the init.
 */
export function everyoneDivergesSpec(name: string, seeds: number[], steps: number) {
  return tinySpec(name, seeds, steps, {}, { lr: 10, weightDecay: 10 });
}

/** The tiny seed-sweep preset (no warmup, constant lr, no clipping) with these overrides. */
function tinySpec(
  name: string,
  seeds: number[],
  steps: number,
  model: ExperimentSpecInput['model'],
  training: Partial<ExperimentSpecInput['training']>,
): ExperimentSpecInput {
  const base = getPreset('seed-sweep').spec('tiny');
  return {
    ...base,
    name,
    model: { ...base.model, ...model },
    training: {
      ...base.training,
      steps,
      warmupSteps: 0,
      schedule: 'constant',
      gradClip: 0,
      evalEvery: EVERY,
      checkpointEvery: EVERY,
      logEvery: 1,
      ...training,
    },
    axes: { grid: { initSeed: seeds } },
  };
}
