import { describe, expect, it } from 'vitest';
import { CharTokenizer } from '../../../src/core/data/char-tokenizer';
import { tokenizerFromJSON } from '../../../src/core/data/tokenizer-json';
import { Rng } from '../../../src/core/rng';
import { freshSeed, randomText } from './random-text';

describe('CharTokenizer', () => {
  it('builds a sorted vocabulary with pad 0 and unk 1', () => {
    const tok = CharTokenizer.fromTexts(['hello', 'world 😀']);
    expect(tok.padId).toBe(0);
    expect(tok.unkId).toBe(1);
    expect(tok.chars).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w', '😀']);
    expect(tok.vocabSize).toBe(2 + 9);
    expect(tok.encode('hold')).toEqual([5, 7, 6, 3]);
  });

  it('gives the same vocabulary whatever the order of the corpus', () => {
    const a = CharTokenizer.fromTexts(['zebra', 'apple']);
    const b = CharTokenizer.fromTexts(['elppa', 'arbez']);
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it('round-trips random Unicode text drawn fresh each run', () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    const texts = Array.from({ length: 200 }, () => randomText(rng, 40));
    const tok = CharTokenizer.fromTexts(texts);
    for (const t of texts) expect(tok.decode(tok.encode(t)), `seed ${seed}`).toBe(t);
    // One id per code point, so an emoji is one token.
    for (const t of texts) expect(tok.encode(t).length).toBe([...t].length);
  });

  it('maps unknown characters to <unk> (decoded as U+FFFD) under the default policy', () => {
    const tok = CharTokenizer.fromTexts(['abc']);
    const ids = tok.encode('abxc');
    expect(ids[2]).toBe(tok.unkId);
    expect(tok.decode(ids)).toBe('ab\uFFFDc');
  });

  it('throws on unknown characters under the "error" policy, naming the character', () => {
    const tok = CharTokenizer.fromTexts(['abc'], 'error');
    expect(tok.unkId).toBe(-1);
    expect(tok.padId).toBe(0);
    expect(tok.encode('cab')).toEqual([3, 1, 2]);
    expect(() => tok.encode('ab中')).toThrow(/"中" \(U\+4E2D\) at position 2/);
  });

  it('decodes pad as nothing and rejects ids outside the vocabulary', () => {
    const tok = CharTokenizer.fromTexts(['ab']);
    expect(tok.decode([2, 0, 3, 0])).toBe('ab');
    expect(() => tok.decode([99])).toThrow(RangeError);
  });

  it('serialises and rebuilds identically', () => {
    for (const policy of ['unk', 'error'] as const) {
      const tok = CharTokenizer.fromTexts(['héllo wörld 中文 🎉'], policy);
      const json = JSON.parse(JSON.stringify(tok.toJSON()));
      const back = tokenizerFromJSON(json);
      expect(back.toJSON()).toEqual(tok.toJSON());
      expect(back.vocabSize).toBe(tok.vocabSize);
      expect(back.encode('wörld 🎉')).toEqual(tok.encode('wörld 🎉'));
    }
  });
});
