import { describe, expect, it } from 'vitest';
import {
  compileGrammar,
  DEFAULT_GRAMMAR,
  pcfgCorpus,
  pcfgSentences,
} from '../../../../src/core/data/synthetic/pcfg';

describe('PCFG', () => {
  const params = { numSentences: 500, validationFraction: 0.2, maxDepth: 6, seed: 1 };

  it('produces capitalised sentences of grammar words, ending in a period', () => {
    const words = new Set(
      Object.values(DEFAULT_GRAMMAR.rules)
        .flat()
        .flatMap(([, rhs]) => rhs.split(' ')),
    );
    for (const s of pcfgSentences(params)) {
      expect(s).toMatch(/^[A-Z][a-z]*( [A-Za-z]+)*\.$/);
      const ws = s.slice(0, -1).split(' ');
      ws[0] = ws[0].toLowerCase();
      for (const w of ws)
        expect(words.has(w) || words.has(w[0].toUpperCase() + w.slice(1)), w).toBe(true);
    }
  });

  it('follows the rule weights (≈ 15% of sentences are coordinated)', () => {
    const s = pcfgSentences({ ...params, numSentences: 4000 });
    const coordinated = s.filter((x) => / (and|but|while) /.test(x)).length / s.length;
    expect(coordinated).toBeGreaterThan(0.11);
    expect(coordinated).toBeLessThan(0.19);
  });

  it('splits sentences into train and validation text and is deterministic per seed', () => {
    const c = pcfgCorpus(params);
    expect(c.train.split('\n').filter(Boolean)).toHaveLength(400);
    expect(c.validation.split('\n').filter(Boolean)).toHaveLength(100);
    expect(pcfgCorpus(params)).toEqual(c);
    expect(pcfgCorpus({ ...params, seed: 2 }).train).not.toBe(c.train);
  });

  it('terminates deep recursion at maxDepth and accepts custom grammars', () => {
    const grammar = {
      rules: {
        S: [
          [0.9, 'x S'],
          [0.1, 'y'],
        ] as [number, string][],
      },
    };
    const s = pcfgSentences({ ...params, numSentences: 50, maxDepth: 3, grammar });
    for (const x of s) expect(x.split(' ').length).toBeLessThanOrEqual(4);
    expect(() => compileGrammar({ rules: { S: [[1, 'S S']] } })).toThrow(/can never finish/);
    expect(() => compileGrammar({ start: 'Q', rules: { S: [[1, 'a']] } })).toThrow(
      /start symbol "Q"/,
    );
    expect(() => compileGrammar({ rules: { S: [[0, 'a']] } })).toThrow(/weights must be positive/);
  });
});
