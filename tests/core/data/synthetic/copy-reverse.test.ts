import { describe, expect, it } from 'vitest';
import { copyReverseExamples } from '../../../../src/core/data/synthetic/copy-reverse';

const base = {
  alphabetSize: 6,
  minLength: 2,
  maxLength: 9,
  numTrain: 3000,
  numValidation: 300,
  seed: 3,
};

describe('copy / reverse', () => {
  it('answers copy or reverse the sequence according to the marker', () => {
    for (const mode of ['copy', 'reverse', 'mixed'] as const) {
      const { train, validation } = copyReverseExamples({ ...base, mode });
      const markers = new Set<string>();
      for (const ex of [...train, ...validation]) {
        const m = /^([a-f]{2,9})([<>])$/.exec(ex.prompt);
        expect(m, ex.prompt).not.toBeNull();
        markers.add(m![2]);
        expect(ex.answer).toBe(m![2] === '>' ? m![1] : [...m![1]].reverse().join(''));
      }
      expect([...markers].sort()).toEqual(
        mode === 'copy' ? ['>'] : mode === 'reverse' ? ['<'] : ['<', '>'],
      );
    }
  });

  it('keeps train and held-out disjoint and free of repeats', () => {
    const { train, validation } = copyReverseExamples({ ...base, mode: 'mixed' });
    const t = new Set(train.map((e) => e.prompt));
    expect(t.size).toBe(train.length);
    expect(validation.filter((e) => t.has(e.prompt))).toEqual([]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    expect(copyReverseExamples({ ...base, mode: 'copy' })).toEqual(
      copyReverseExamples({ ...base, mode: 'copy' }),
    );
    expect(copyReverseExamples({ ...base, mode: 'copy', seed: 4 }).train).not.toEqual(
      copyReverseExamples({ ...base, mode: 'copy' }).train,
    );
  });

  it('says clearly when the example space is too small', () => {
    expect(() =>
      copyReverseExamples({
        ...base,
        mode: 'copy',
        alphabetSize: 2,
        minLength: 2,
        maxLength: 2,
        numTrain: 10,
      }),
    ).toThrow(/too few possible examples/);
  });
});
