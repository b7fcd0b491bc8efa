import { describe, expect, it } from 'vitest';
import {
  applyModOp,
  isPrime,
  modInverse,
  modularExamples,
  modularTableSize,
} from '../../../../src/core/data/synthetic/modular';

describe('modular arithmetic', () => {
  it('computes modular inverses', () => {
    for (const p of [2, 3, 7, 97, 113]) {
      for (let b = 1; b < p; b++) expect((b * modInverse(b, p)) % p).toBe(1);
    }
    expect(() => modInverse(4, 8)).toThrow(/no inverse/);
    expect([2, 3, 5, 97, 113].every(isPrime)).toBe(true);
    expect([0, 1, 4, 91, 100].some(isPrime)).toBe(false);
  });

  it('enumerates the full table, every equation correct, split disjointly by the seed', () => {
    const p = 23;
    const ops = ['+', '-', '*', '/'] as const;
    const { train, validation } = modularExamples({ p, ops, trainFraction: 0.3, seed: 5 });
    const total = modularTableSize(p, ops);
    expect(total).toBe(3 * p * p + p * (p - 1));
    expect(train.length + validation.length).toBe(total);
    expect(train.length).toBe(Math.round(0.3 * total));
    const all = new Set<string>();
    for (const ex of [...train, ...validation]) {
      const m = /^(\d{2})([-+*/])(\d{2})=$/.exec(ex.prompt);
      expect(m, ex.prompt).not.toBeNull();
      const a = Number(m![1]);
      const b = Number(m![3]);
      const op = m![2] as (typeof ops)[number];
      expect(ex.answer).toMatch(/^\d{2}$/);
      const c = Number(ex.answer);
      // Independent check of a∘b mod p (not via applyModOp).
      if (op === '+') expect(c).toBe((a + b) % p);
      if (op === '-') expect((c + b) % p).toBe(a);
      if (op === '*') expect(c).toBe((a * b) % p);
      if (op === '/') expect((c * b) % p).toBe(a);
      all.add(ex.prompt);
    }
    expect(all.size).toBe(total); // no equation twice, so train ∩ held-out = ∅
  });

  it('same seed ⇒ same split; different seed ⇒ different split', () => {
    const a = modularExamples({ p: 31, ops: ['+'], trainFraction: 0.5, seed: 1 });
    const b = modularExamples({ p: 31, ops: ['+'], trainFraction: 0.5, seed: 1 });
    const c = modularExamples({ p: 31, ops: ['+'], trainFraction: 0.5, seed: 2 });
    expect(a).toEqual(b);
    expect(new Set(c.train.map((e) => e.prompt))).not.toEqual(
      new Set(a.train.map((e) => e.prompt)),
    );
  });

  it('refuses division for composite p and empty splits', () => {
    expect(() => modularExamples({ p: 10, ops: ['/'], trainFraction: 0.5, seed: 0 })).toThrow(
      /prime/,
    );
    expect(() => modularExamples({ p: 3, ops: ['+'], trainFraction: 0.99, seed: 0 })).toThrow(
      /empty split/,
    );
    expect(applyModOp('-', 2, 5, 7)).toBe(4);
  });
});
