import { describe, expect, it } from 'vitest';
import { BpeTokenizer } from '../../../src/core/data/bpe-tokenizer';
import { CharTokenizer } from '../../../src/core/data/char-tokenizer';
import {
  encodeExamples,
  encodeStream,
  exampleAnswerMask,
  exampleTokens,
} from '../../../src/core/data/sources';
import { Rng } from '../../../src/core/rng';
import { freshSeed, randomText } from './random-text';

describe('encodeStream', () => {
  it('encodes into an Int32Array exactly like encode (tricky newlines, spaces, astral chars)', () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    const bits = ['\n', '\n\n', ' \n', '\n ', 'word', ' x', '\t', '中文', '😀', "'s"];
    let text = '';
    for (let i = 0; i < 3000; i++)
      text += rng.int(4) === 0 ? randomText(rng, 3) : bits[rng.int(bits.length)];
    const bpe = BpeTokenizer.train([text], { vocabSize: 400 });
    const char = CharTokenizer.fromTexts([text]);
    for (const tok of [bpe, char]) {
      const stream = encodeStream(text, tok).tokens;
      expect(stream).toBeInstanceOf(Int32Array);
      expect(Array.from(stream), `seed ${seed}`).toEqual(tok.encode(text));
    }
    // The char tokenizer's table-driven encoding against the plain per-code-point definition.
    expect(char.encode(text)).toEqual([...text].map((c) => char.idOf(c)));
    expect(char.chars).toEqual(
      [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!),
    );
  });
});

describe('encodeExamples', () => {
  it('marks exactly the answer tokens and records offsets and the longest example', () => {
    const tok = CharTokenizer.fromTexts(['ab>ba']);
    const src = encodeExamples(
      [
        { prompt: 'ab>', answer: 'ab' },
        { prompt: 'a>', answer: 'a' },
      ],
      tok,
    );
    expect(src.count).toBe(2);
    expect(src.maxLength).toBe(5);
    expect(Array.from(src.offsets)).toEqual([0, 5, 8]);
    expect(tok.decode(exampleTokens(src, 1))).toBe('a>a');
    expect(Array.from(exampleAnswerMask(src, 0))).toEqual([0, 0, 0, 1, 1]);
  });
});
