import { describe, expect, it } from 'vitest';
import { DOCUMENT_SEPARATOR, splitCorpus } from '../../../src/core/data/corpus-split';

describe('splitCorpus', () => {
  it('splits one document at a line break near the requested fraction, losing nothing', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const text = lines.join('\n') + '\n';
    const { train, validation } = splitCorpus([text], 0.1, 0);
    expect(train + validation).toBe(text);
    expect(train.endsWith('\n')).toBe(true);
    expect(validation.length / text.length).toBeGreaterThan(0.09);
    expect(validation.length / text.length).toBeLessThan(0.12);
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(11);
    const { train, validation } = splitCorpus([text], 0.5, 0);
    expect(train + validation).toBe(text);
    expect([...train].every((c) => c === '😀')).toBe(true);
    expect([...validation].every((c) => c === '😀')).toBe(true);
  });

  it('holds out whole documents chosen by the seed, keeping file order', () => {
    const docs = Array.from({ length: 50 }, (_, i) => `doc${i}`);
    const a = splitCorpus(docs, 0.2, 1);
    const val = a.validation.split(DOCUMENT_SEPARATOR);
    const train = a.train.split(DOCUMENT_SEPARATOR);
    expect(val).toHaveLength(10);
    expect(train).toHaveLength(40);
    expect(new Set([...val, ...train]).size).toBe(50);
    expect(val).toEqual([...val].sort((x, y) => Number(x.slice(3)) - Number(y.slice(3))));
    expect(splitCorpus(docs, 0.2, 1)).toEqual(a);
    expect(splitCorpus(docs, 0.2, 2).validation).not.toBe(a.validation);
  });
});
