/**
 * Fixed evaluation data: the validation batches and the probe set used by the similarity
 * analyses. Both take units in their natural order (no shuffling), so every model, run and
 * checkpoint is evaluated on exactly the same rows.
 */
import { checkContextLength, emptyBatch, fillRow, unitCount } from './rows';
import type { DataSource } from './sources';
import type { Batch } from './types';

export interface EvalBatchOptions {
  contextLength: number;
  batchSize: number;
  /** Use at most this many units (examples/windows), from the start; default all. */
  maxUnits?: number;
}

/**
 * All (or the first `maxUnits`) validation units in order, as batches of `batchSize` rows.
 * The last batch is topped up with zero-weight filler rows (`exampleIndices` −1), so every
 * batch has the same shape and weighted losses/accuracies are unaffected.
 */
export function evalBatches(source: DataSource, padId: number, opts: EvalBatchOptions): Batch[] {
  checkContextLength(source, opts.contextLength, 'validation data');
  const n = Math.min(unitCount(source, opts.contextLength), opts.maxUnits ?? Infinity);
  const batches: Batch[] = [];
  for (let start = 0; start < n; start += opts.batchSize) {
    const batch = emptyBatch(opts.batchSize, opts.contextLength);
    for (let row = 0; row < opts.batchSize; row++) {
      const unit = start + row;
      fillRow(source, padId, unit < n ? unit : -1, batch, row);
    }
    batches.push(batch);
  }
  return batches;
}

/**
 * The probe set: the first `count` validation units as one batch (fewer rows when the split
 * is smaller). Deterministic for a given dataset and context length.
 */
export function probeSet(
  source: DataSource,
  padId: number,
  opts: { contextLength: number; count: number },
): Batch {
  checkContextLength(source, opts.contextLength, 'probe data');
  if (!Number.isInteger(opts.count) || opts.count < 1)
    throw new Error(`probe set size must be a positive integer, got ${opts.count}`);
  const n = Math.min(unitCount(source, opts.contextLength), opts.count);
  const batch = emptyBatch(n, opts.contextLength);
  for (let row = 0; row < n; row++) fillRow(source, padId, row, batch, row);
  return batch;
}
