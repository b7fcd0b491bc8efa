/**
 * Pieces every study shares: the held-out learn gates of an experiment's runs at one step,
 * the copy/reverse task at a size, and expected times.
 */
import type { DatasetSpecInput } from '../../core/data/spec';
import { armGate, learnGate, type Gate, type LearnCriterion } from './gates';
import { heldOut, type StoredHeldOut } from './read';
import type { StudyContext } from './types';

export interface LearnedRuns {
  /** Per run: its gate (same order as the run ids given). */
  runGates: Gate[];
  /** Per arm: enough learned runs. */
  armGates: Gate[];
  scores: StoredHeldOut;
  /** Whether each run (same order) passed its learn gate. */
  learned: boolean[];
}

/** Learn gates of `runIds` (arm of each in `arms`) from their held-out scores at `step`. */
export function learnGates(
  ctx: StudyContext,
  experimentId: number,
  runIds: readonly number[],
  arms: readonly string[],
  step: number,
  c: LearnCriterion,
): LearnedRuns {
  const scores = heldOut(ctx.store, experimentId, step, runIds);
  const runGates = runIds.map((id, i) =>
    learnGate(id, arms[i], scores.exactMatch[i], scores.tokenAccuracy[i], c),
  );
  const armGates = [...new Set(arms)].map((a) => armGate(a, runGates, c));
  return { runGates, armGates, scores, learned: runGates.map((g) => g.passed) };
}

/** Indices (into `runIds`) of the learned runs of one arm. */
export const learnedOf = (l: LearnedRuns, arms: readonly string[], arm: string): number[] =>
  arms.map((a, i) => i).filter((i) => arms[i] === arm && l.learned[i]);

export const copyReverse = (
  alphabetSize: number,
  minLength: number,
  maxLength: number,
  numTrain: number,
  numValidation: number,
  seed = 0,
): DatasetSpecInput => ({
  kind: 'copy-reverse',
  mode: 'mixed',
  alphabetSize,
  minLength,
  maxLength,
  numTrain,
  numValidation,
  seed,
});

export const seeds = (n: number, from = 0): number[] =>
  Array.from({ length: n }, (_, i) => from + i);

/** Why the GPU figures of the expected times are what they are. */
export const GPU =
  'GPU: not measured; at this size tfjs webgpu ran 7,000 tokens/s on an H200 against ~20,000 for wasm on 2 cores (DESIGN.md), so a GPU does not speed these small models up';
