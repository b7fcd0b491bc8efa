/**
 * Deterministic training batches ordered by a data-order seed, resumable from a cursor.
 *
 * Each epoch visits every unit (example or window, see `rows.ts`) once, in the order of a
 * Fisher–Yates shuffle drawn from `Rng.derive(seed, "epoch:<e>")`. The order therefore depends
 * only on (seed, epoch, number of units) — not on how many batches were drawn before — so the
 * cursor `{epoch, index}` is enough to resume at exactly the next batch. Batches run across
 * epoch boundaries (the tail of epoch e is followed by the head of epoch e + 1), so every batch
 * is full and no unit is skipped.
 *
 * The cursor also carries the running `batchHash` of every batch served so far and the
 * settings it was made with, which are checked on resume.
 */
import { Rng } from '../rng';
import { batchHash, INITIAL_BATCH_HASH } from './batch-hash';
import { checkContextLength, emptyBatch, fillRow, unitCount } from './rows';
import type { DataSource } from './sources';
import type { Batch } from './types';

export interface BatcherOptions {
  contextLength: number;
  batchSize: number;
  /** The data-order seed. */
  seed: number;
}

/** JSON-serialisable position of a batcher: store it in a checkpoint, pass it back to resume. */
export interface BatchCursor {
  version: 1;
  seed: number;
  contextLength: number;
  batchSize: number;
  /** Units per epoch when the cursor was made (guards against resuming on other data). */
  units: number;
  /** Epoch of the next unit to serve. */
  epoch: number;
  /** Position of the next unit within that epoch's permutation. */
  index: number;
  /** Batches served so far. */
  batches: number;
  /** Running `batchHash` over all batches served so far. */
  hash: string;
}

export class Batcher {
  readonly units: number;
  private epoch = 0;
  private index = 0;
  private batches = 0;
  private hash = INITIAL_BATCH_HASH;
  private permEpoch = -1;
  private perm = new Int32Array(0);

  constructor(
    private readonly source: DataSource,
    private readonly padId: number,
    readonly options: BatcherOptions,
    cursor?: BatchCursor,
  ) {
    const { contextLength, batchSize, seed } = options;
    checkContextLength(source, contextLength, 'training data');
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(seed)) throw new Error(`data-order seed must be an integer, got ${seed}`);
    this.units = unitCount(source, contextLength);
    if (cursor) this.restore(cursor);
  }

  /** The next batch (fresh arrays each call). */
  next(): Batch {
    const { batchSize, contextLength } = this.options;
    const batch = emptyBatch(batchSize, contextLength);
    for (let row = 0; row < batchSize; row++) {
      fillRow(this.source, this.padId, this.permutation(this.epoch)[this.index], batch, row);
      this.index++;
      if (this.index === this.units) {
        // Roll over eagerly so a cursor at an epoch boundary reads {epoch: e + 1, index: 0}.
        this.epoch++;
        this.index = 0;
      }
    }
    this.batches++;
    this.hash = batchHash(this.hash, batch);
    return batch;
  }

  /** Where the next batch starts, plus the running hash. */
  cursor(): BatchCursor {
    const { seed, contextLength, batchSize } = this.options;
    return {
      version: 1,
      seed,
      contextLength,
      batchSize,
      units: this.units,
      epoch: this.epoch,
      index: this.index,
      batches: this.batches,
      hash: this.hash,
    };
  }

  /** Running hash of every batch served (same as `cursor().hash`). */
  get servedHash(): string {
    return this.hash;
  }

  private permutation(epoch: number): Int32Array {
    if (epoch !== this.permEpoch) {
      const perm = new Int32Array(this.units);
      for (let i = 0; i < perm.length; i++) perm[i] = i;
      Rng.derive(this.options.seed, `epoch:${epoch}`).shuffle(perm);
      this.perm = perm;
      this.permEpoch = epoch;
    }
    return this.perm;
  }

  private restore(c: BatchCursor): void {
    const mismatch = (field: string, got: unknown, want: unknown): Error =>
      new Error(
        `cannot resume: the cursor was made with ${field} ${JSON.stringify(got)}, but this batcher has ${JSON.stringify(want)}`,
      );
    if (c?.version !== 1)
      throw new Error(
        `cannot resume: unsupported batch cursor version ${JSON.stringify(c?.version)}`,
      );
    if (c.seed !== this.options.seed) throw mismatch('seed', c.seed, this.options.seed);
    if (c.contextLength !== this.options.contextLength)
      throw mismatch('contextLength', c.contextLength, this.options.contextLength);
    if (c.batchSize !== this.options.batchSize)
      throw mismatch('batchSize', c.batchSize, this.options.batchSize);
    if (c.units !== this.units) throw mismatch('a dataset of units', c.units, this.units);
    if (
      !Number.isInteger(c.epoch) ||
      c.epoch < 0 ||
      !Number.isInteger(c.index) ||
      c.index < 0 ||
      c.index >= this.units
    )
      throw new Error(
        `cannot resume: cursor position epoch ${c.epoch}, index ${c.index} is out of range`,
      );
    if (typeof c.hash !== 'string' || !/^[0-9a-f]{64}$/.test(c.hash))
      throw new Error('cannot resume: cursor hash must be 64 hex digits');
    this.epoch = c.epoch;
    this.index = c.index;
    this.batches = c.batches;
    this.hash = c.hash;
  }
}
