import { describe, expect, it } from 'vitest';
import { tokenizerFromJSON, TokenizerJsonError } from '../../../src/core/data/tokenizer-json';

describe('tokenizerFromJSON', () => {
  it('accepts a JSON string as well as an object', () => {
    const tok = tokenizerFromJSON(
      '{"kind":"char","version":1,"chars":["a","b"],"pad":"<pad>","unk":"<unk>"}',
    );
    expect(tok.kind).toBe('char');
    expect(tok.vocabSize).toBe(4);
  });

  it.each([
    ['not JSON', '{nope', /not JSON/],
    ['not an object', 42, /expected an object/],
    ['unknown kind', { kind: 'wordpiece' }, /kind: expected "char" or "bpe", got "wordpiece"/],
    ['wrong version', { kind: 'char', version: 2, chars: [], pad: '<pad>' }, /version/],
    [
      'chars not sorted',
      { kind: 'char', version: 1, chars: ['b', 'a'], pad: '<pad>' },
      /sorted by code point \(chars\[1\]\)/,
    ],
    [
      'multi-char entry',
      { kind: 'char', version: 1, chars: ['ab'], pad: '<pad>' },
      /chars\[0\] = "ab" is not exactly one character/,
    ],
    [
      'extra field',
      { kind: 'char', version: 1, chars: [], pad: '<pad>', x: 1 },
      /Unrecognized key/,
    ],
    [
      'merge refers to a future id',
      { kind: 'bpe', version: 1, merges: [[97, 256]], specials: ['<pad>'] },
      /merges\[0\] = \[97, 256\] refers to id 256/,
    ],
    [
      'duplicate merge',
      {
        kind: 'bpe',
        version: 1,
        merges: [
          [97, 98],
          [97, 98],
        ],
        specials: ['<pad>'],
      },
      /merges\[1\] = \[97, 98\] repeats merges\[0\]/,
    ],
    [
      'negative id',
      { kind: 'bpe', version: 1, merges: [[-1, 98]], specials: ['<pad>'] },
      /merges\.0\.0/,
    ],
    [
      'no pad special',
      { kind: 'bpe', version: 1, merges: [], specials: ['<eos>'] },
      /specials must include <pad>/,
    ],
    [
      'duplicate special',
      { kind: 'bpe', version: 1, merges: [], specials: ['<pad>', '<pad>'] },
      /appears twice/,
    ],
  ])('rejects %s with a clear error', (_name, json, message) => {
    expect(() => tokenizerFromJSON(json)).toThrow(TokenizerJsonError);
    expect(() => tokenizerFromJSON(json)).toThrow(message);
  });
});
