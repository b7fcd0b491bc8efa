/**
 * A producer computes one measure family at one analysed step. `prepare` looks up, by key,
 * which of its groups are already stored; `run` (null when nothing is left) computes and writes
 * the rest. Producers share the step's weights and activations through `StepData`, so a
 * forward pass runs once for all of them and only when one of them needs it.
 */
import type { StepData } from '../session';

export interface StepWork {
  /** Groups found stored and reused. */
  reused: number;
  run: (() => Promise<void>) | null;
}

export interface StepProducer {
  readonly name: string;
  prepare(at: StepData): StepWork;
}

export const nothing = (reused = 0): StepWork => ({ reused, run: null });
