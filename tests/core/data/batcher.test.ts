import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/core/data/batcher';
import { batchHash, INITIAL_BATCH_HASH } from '../../../src/core/data/batch-hash';
import { buildDataset } from '../../../src/core/data/build-dataset';
import type { ExampleSource } from '../../../src/core/data/sources';
import { exampleTokens } from '../../../src/core/data/sources';
import type { Batch } from '../../../src/core/data/types';

const copy = await buildDataset({
  kind: 'copy-reverse',
  mode: 'reverse',
  numTrain: 50,
  numValidation: 10,
  maxLength: 6,
});
const pcfg = await buildDataset({ kind: 'pcfg', numSentences: 200 });

function take(b: Batcher, n: number): Batch[] {
  return Array.from({ length: n }, () => b.next());
}

describe('Batcher', () => {
  it('fills example rows left-aligned, padded, weighted on answer targets only', () => {
    const T = 16;
    const b = new Batcher(copy.train, copy.padId, { contextLength: T, batchSize: 8, seed: 1 });
    const batch = b.next();
    expect(batch.inputs).toHaveLength(8 * T);
    expect(batch.exampleIndices).toHaveLength(8);
    const src = copy.train as ExampleSource;
    for (let r = 0; r < 8; r++) {
      const ex = Array.from(exampleTokens(src, batch.exampleIndices![r]));
      const text = copy.tokenizer.decode(ex);
      const [seq] = text.split('<');
      const row = (a: ArrayLike<number>) => Array.from(a).slice(r * T, (r + 1) * T);
      const inputs = row(batch.inputs);
      const targets = row(batch.targets);
      const weights = row(batch.weights);
      expect(inputs.slice(0, ex.length)).toEqual(ex);
      expect(inputs.slice(ex.length).every((x) => x === copy.padId)).toBe(true);
      expect(targets.slice(0, ex.length - 1)).toEqual(ex.slice(1));
      expect(targets.slice(ex.length - 1).every((x) => x === copy.padId)).toBe(true);
      // Scored targets are exactly the reversed sequence.
      const scored = targets.filter((_, t) => weights[t] === 1);
      expect(copy.tokenizer.decode(scored)).toBe([...seq].reverse().join(''));
      expect(weights.filter((w) => w === 1)).toHaveLength(seq.length);
      expect(weights.every((w) => w === 0 || w === 1)).toBe(true);
    }
  });

  it('cuts streams into consecutive windows of T + 1 tokens, all weighted', () => {
    const T = 32;
    const b = new Batcher(pcfg.train, pcfg.padId, { contextLength: T, batchSize: 4, seed: 0 });
    const batch = b.next();
    const toks = pcfg.train.tokens;
    for (let r = 0; r < 4; r++) {
      const start = batch.exampleIndices![r] * T;
      expect(Array.from(batch.inputs.subarray(r * T, (r + 1) * T))).toEqual(
        Array.from(toks.subarray(start, start + T)),
      );
      expect(Array.from(batch.targets.subarray(r * T, (r + 1) * T))).toEqual(
        Array.from(toks.subarray(start + 1, start + T + 1)),
      );
    }
    expect(batch.weights.every((w) => w === 1)).toBe(true);
    expect(b.units).toBe(Math.floor((toks.length - 1) / T));
  });

  it('visits every unit exactly once per epoch, in a seed-dependent order', () => {
    const mk = (seed: number) =>
      new Batcher(copy.train, copy.padId, { contextLength: 16, batchSize: 5, seed });
    const a = mk(3);
    const order = take(a, 20).flatMap((x) => Array.from(x.exampleIndices!));
    expect([...order.slice(0, 50)].sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect([...order.slice(50, 100)].sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(order.slice(0, 50)).not.toEqual(order.slice(50, 100)); // reshuffled per epoch
    expect(a.cursor()).toMatchObject({ epoch: 2, index: 0, batches: 20 });
    const b = mk(3);
    expect(take(b, 20)).toEqual(take(mk(3), 20));
    const c = take(mk(4), 1)[0];
    expect(c.exampleIndices).not.toEqual(take(mk(3), 1)[0].exampleIndices);
  });

  it('resumes from a JSON cursor at exactly the next batch, mid-epoch and across epochs', () => {
    const opts = { contextLength: 16, batchSize: 7, seed: 11 };
    const straight = new Batcher(copy.train, copy.padId, opts);
    const all = take(straight, 30);
    for (const cut of [1, 6, 7, 13, 22]) {
      const first = new Batcher(copy.train, copy.padId, opts);
      take(first, cut);
      const saved = JSON.parse(JSON.stringify(first.cursor()));
      const resumed = new Batcher(copy.train, copy.padId, opts, saved);
      expect(take(resumed, 30 - cut)).toEqual(all.slice(cut));
      expect(resumed.cursor().hash).toBe(straight.cursor().hash);
    }
  });

  it('keeps a running batch hash that equals re-hashing the served batches', () => {
    const b = new Batcher(pcfg.train, pcfg.padId, { contextLength: 24, batchSize: 3, seed: 2 });
    expect(b.cursor().hash).toBe(INITIAL_BATCH_HASH);
    const batches = take(b, 5);
    expect(b.servedHash).toBe(batches.reduce(batchHash, INITIAL_BATCH_HASH));
    const other = new Batcher(pcfg.train, pcfg.padId, { contextLength: 24, batchSize: 3, seed: 3 });
    take(other, 5);
    expect(other.servedHash).not.toBe(b.servedHash);
  });

  it('refuses cursors from other settings and context lengths too short for the examples', () => {
    const opts = { contextLength: 16, batchSize: 4, seed: 1 };
    const c = new Batcher(copy.train, copy.padId, opts).cursor();
    expect(() => new Batcher(copy.train, copy.padId, { ...opts, seed: 2 }, c)).toThrow(
      /cursor was made with seed 1/,
    );
    expect(() => new Batcher(copy.train, copy.padId, { ...opts, batchSize: 5 }, c)).toThrow(
      /batchSize/,
    );
    expect(() => new Batcher(pcfg.train, pcfg.padId, opts, c)).toThrow(/units/);
    expect(() => new Batcher(copy.train, copy.padId, { ...opts, contextLength: 5 })).toThrow(
      /examples are up to 13 tokens long, so contextLength must be at least 12/,
    );
    expect(
      () => new Batcher(pcfg.train, pcfg.padId, { ...opts, contextLength: 10_000_000 }),
    ).toThrow(/use a smaller contextLength/);
  });
});
