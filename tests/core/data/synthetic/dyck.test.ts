import { describe, expect, it } from 'vitest';
import { DYCK_PAIRS, dyckExamples, isBalanced } from '../../../../src/core/data/synthetic/dyck';

const base = {
  k: 3,
  maxDepth: 4,
  minLength: 3,
  maxLength: 16,
  numTrain: 2000,
  numValidation: 200,
  seed: 9,
};

function maxDepthOf(s: string): number {
  let d = 0;
  let m = 0;
  for (const c of s) {
    d += DYCK_PAIRS.some((p) => p[0] === c) ? 1 : -1;
    m = Math.max(m, d);
  }
  return m;
}

describe('Dyck', () => {
  it('isBalanced accepts balanced and rejects unbalanced words', () => {
    expect(isBalanced('([]{})<>')).toBe(true);
    expect(isBalanced('([)]')).toBe(false);
    expect(isBalanced('((')).toBe(false);
    expect(isBalanced(')(')).toBe(false);
  });

  it('complete: prompt + answer is balanced, the answer only closes, depth stays within the limit', () => {
    const { train, validation } = dyckExamples({ ...base, task: 'complete' });
    for (const ex of [...train, ...validation]) {
      expect(ex.prompt.endsWith('|')).toBe(true);
      const prefix = ex.prompt.slice(0, -1);
      expect(prefix.length).toBeGreaterThanOrEqual(3);
      expect(prefix.length).toBeLessThanOrEqual(16);
      expect(ex.answer.length).toBeGreaterThan(0);
      expect(isBalanced(prefix + ex.answer, 3)).toBe(true);
      expect(isBalanced(prefix, 3)).toBe(false);
      expect(ex.answer).toMatch(/^[)\]}]+$/);
      expect(maxDepthOf(prefix)).toBeLessThanOrEqual(4);
    }
    const t = new Set(train.map((e) => e.prompt));
    expect(validation.filter((e) => t.has(e.prompt))).toEqual([]);
  });

  it('lm: whole words are balanced, of even length within bounds, using k bracket types', () => {
    const { train } = dyckExamples({ ...base, task: 'lm', k: 2 });
    const used = new Set<string>();
    for (const ex of train) {
      const w = ex.prompt + ex.answer;
      expect(ex.prompt.length).toBe(1);
      expect(isBalanced(w, 2)).toBe(true);
      expect(w.length % 2).toBe(0);
      expect(w.length).toBeGreaterThanOrEqual(4);
      expect(w.length).toBeLessThanOrEqual(16);
      expect(maxDepthOf(w)).toBeLessThanOrEqual(4);
      for (const c of w) used.add(c);
    }
    expect([...used].sort()).toEqual(['(', ')', '[', ']']);
  });

  it('is deterministic per seed', () => {
    expect(dyckExamples({ ...base, task: 'complete' })).toEqual(
      dyckExamples({ ...base, task: 'complete' }),
    );
    expect(dyckExamples({ ...base, task: 'complete', seed: 10 }).train).not.toEqual(
      dyckExamples({ ...base, task: 'complete' }).train,
    );
  });

  it('explains impossible settings', () => {
    expect(() =>
      dyckExamples({ ...base, task: 'complete', maxDepth: 1, minLength: 2, maxLength: 2 }),
    ).toThrow(/always balanced/);
  });
});
