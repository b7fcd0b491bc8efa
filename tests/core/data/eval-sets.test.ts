import { describe, expect, it } from 'vitest';
import { addScores, scoreAnswers } from '../../../src/core/data/accuracy';
import { buildDataset } from '../../../src/core/data/build-dataset';
import { evalBatches, probeSet } from '../../../src/core/data/eval-sets';

const modular = await buildDataset({ kind: 'modular', p: 7 }); // 49 equations: 25 train, 24 held out
const pcfg = await buildDataset({ kind: 'pcfg', numSentences: 100 });

describe('evaluation batches and probe set', () => {
  it('covers the validation split in order, topping up the last batch with zero-weight rows', () => {
    const batches = evalBatches(modular.validation, modular.padId, {
      contextLength: 8,
      batchSize: 10,
    });
    expect(batches).toHaveLength(3);
    const idx = batches.flatMap((b) => Array.from(b.exampleIndices!));
    expect(idx).toEqual([...Array.from({ length: 24 }, (_, i) => i), -1, -1, -1, -1, -1, -1]);
    const last = batches[2];
    expect(last.batchSize).toBe(10);
    expect(last.weights.subarray(4 * 8).every((w) => w === 0)).toBe(true);
    expect(last.inputs.subarray(4 * 8).every((x) => x === modular.padId)).toBe(true);
    expect(
      evalBatches(modular.validation, modular.padId, { contextLength: 8, batchSize: 10 }),
    ).toEqual(batches);
    expect(
      evalBatches(modular.validation, modular.padId, {
        contextLength: 8,
        batchSize: 10,
        maxUnits: 4,
      }),
    ).toHaveLength(1);
  });

  it('builds the probe set from the first N validation units, deterministically', () => {
    const p = probeSet(pcfg.validation, pcfg.padId, { contextLength: 16, count: 5 });
    expect(p.batchSize).toBe(5);
    expect(Array.from(p.exampleIndices!)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(p.inputs.subarray(0, 16))).toEqual(
      Array.from(pcfg.validation.tokens.subarray(0, 16)),
    );
    expect(probeSet(pcfg.validation, pcfg.padId, { contextLength: 16, count: 5 })).toEqual(p);
    expect(
      probeSet(modular.validation, modular.padId, { contextLength: 8, count: 1000 }).batchSize,
    ).toBe(24);
  });

  it('scores answers: token accuracy and whole-answer exact match over weighted positions', () => {
    const [batch] = evalBatches(modular.validation, modular.padId, {
      contextLength: 8,
      batchSize: 4,
    });
    const perfect = scoreAnswers(batch, batch.targets);
    expect(perfect).toEqual({ correctTokens: 4, scoredTokens: 4, correctRows: 4, scoredRows: 4 }); // p=7: 1-digit answers
    const wrong = Int32Array.from(batch.targets);
    for (let t = 0; t < wrong.length; t++)
      if (batch.weights[t] === 1 && t < 8) wrong[t] = modular.padId;
    expect(scoreAnswers(batch, wrong)).toEqual({
      correctTokens: 3,
      scoredTokens: 4,
      correctRows: 3,
      scoredRows: 4,
    });
    expect(addScores(perfect, perfect).scoredRows).toBe(8);
    expect(() => scoreAnswers(batch, [1, 2])).toThrow(/expected 32 predictions/);
  });
});
