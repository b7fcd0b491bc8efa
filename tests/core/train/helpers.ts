import type { Batch } from '../../../src/core/data/types';
import { copyTaskBatch, type ToyTaskOptions } from '../../../src/core/train/toy-tasks';
import { Rng } from '../../../src/core/rng';

/** The reverse task sized for the TINY model (vocab 9, context 8). */
export const TASK: ToyTaskOptions = { batchSize: 8, length: 4, symbols: 8, reverse: true };

/** `n` batches from a data-order seed. */
export function batches(seed: number, n: number, task: ToyTaskOptions = TASK): Batch[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => copyTaskBatch(rng, task));
}

/** Relative difference, safe at 0. */
export function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}
