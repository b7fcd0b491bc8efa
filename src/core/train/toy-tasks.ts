/**
 * A tiny copy/reverse task for tests and benchmarks of the engine (the real datasets live in
 * `src/core/data/`). Sequence: x₁…xₙ SEP y₁…yₙ with y = x (copy) or x reversed; the model sees
 * the first 2n tokens and is scored only on predicting y (weights 1 there, 0 elsewhere).
 * Vocabulary: symbols 0…S−1 and SEP = S.
 */
import type { Batch } from '../data/types';
import { Rng } from '../rng';

export interface ToyTaskOptions {
  batchSize: number;
  /** n, the number of symbols to copy; contextLength = 2n. */
  length: number;
  /** S, the number of distinct symbols; vocabulary size is S + 1. */
  symbols: number;
  reverse?: boolean;
}

/** A batch of the copy/reverse task, drawn from `rng`. */
export function copyTaskBatch(rng: Rng, o: ToyTaskOptions): Batch {
  const n = o.length;
  const T = 2 * n;
  const sep = o.symbols;
  const inputs = new Int32Array(o.batchSize * T);
  const targets = new Int32Array(o.batchSize * T);
  const weights = new Float32Array(o.batchSize * T);
  const seq = new Int32Array(T + 1);
  for (let b = 0; b < o.batchSize; b++) {
    for (let i = 0; i < n; i++) seq[i] = rng.int(o.symbols);
    seq[n] = sep;
    for (let i = 0; i < n; i++) seq[n + 1 + i] = o.reverse ? seq[n - 1 - i] : seq[i];
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = seq[t];
      targets[b * T + t] = seq[t + 1];
      weights[b * T + t] = t >= n ? 1 : 0;
    }
  }
  return { batchSize: o.batchSize, contextLength: T, inputs, targets, weights };
}

/** Random next-token batch over the full vocabulary (every position scored); for benchmarks. */
export function randomTokenBatch(rng: Rng, batchSize: number, T: number, vocab: number): Batch {
  const ids = new Int32Array(batchSize * (T + 1));
  for (let i = 0; i < ids.length; i++) ids[i] = rng.int(vocab);
  const inputs = new Int32Array(batchSize * T);
  const targets = new Int32Array(batchSize * T);
  for (let b = 0; b < batchSize; b++)
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = ids[b * (T + 1) + t];
      targets[b * T + t] = ids[b * (T + 1) + t + 1];
    }
  return {
    batchSize,
    contextLength: T,
    inputs,
    targets,
    weights: new Float32Array(batchSize * T).fill(1),
  };
}
