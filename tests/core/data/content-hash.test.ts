import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  datasetContentHash,
  type HashInput,
} from '../../../src/core/data/content-hash';

function input(): HashInput {
  return {
    spec: { kind: 'text-file', path: '/a/b.txt', validationFraction: 0.1 },
    tokenizer: { kind: 'char', version: 1, chars: ['a', 'b'], pad: '<pad>', unk: '<unk>' },
    train: {
      kind: 'examples',
      count: 2,
      maxLength: 3,
      offsets: Int32Array.of(0, 3, 5),
      tokens: Int32Array.of(2, 3, 2, 3, 3),
      answerMask: Uint8Array.of(0, 0, 1, 0, 1),
    },
    validation: { kind: 'stream', tokens: Int32Array.of(2, 2, 3) },
    fileSha256: 'f'.repeat(64),
  };
}

describe('datasetContentHash', () => {
  it('is stable, ignores the file path, and changes with any data, mask, tokenizer, spec or file change', () => {
    const base = datasetContentHash(input());
    expect(datasetContentHash(input())).toBe(base);
    const moved = input();
    moved.spec.path = '/elsewhere/c.txt';
    expect(datasetContentHash(moved)).toBe(base);

    const variants: ((x: HashInput) => void)[] = [
      (x) => (x.train.tokens[4] = 2),
      (x) => {
        if (x.train.kind === 'examples') x.train.answerMask[1] = 1;
      },
      (x) => {
        if (x.train.kind === 'examples') x.train.offsets[1] = 2;
      },
      (x) => (x.validation = { kind: 'stream', tokens: Int32Array.of(2, 2) }),
      (x) => (x.spec.validationFraction = 0.2),
      (x) => (x.tokenizer = { kind: 'char', version: 1, chars: ['a', 'b'], pad: '<pad>' }),
      (x) => (x.fileSha256 = 'e'.repeat(64)),
      // Moving tokens between splits keeps the multiset but must change the hash.
      (x) => {
        x.validation = { kind: 'stream', tokens: Int32Array.of(2, 2, 3, 3) };
        x.train.tokens = x.train.tokens.subarray(0, 4);
      },
    ];
    const seen = new Set([base]);
    for (const change of variants) {
      const x = input();
      change(x);
      const h = datasetContentHash(x);
      expect(seen.has(h)).toBe(false);
      seen.add(h);
    }
  });

  it('canonicalJson sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(canonicalJson({ a: undefined, b: 'é' })).toBe('{"b":"é"}');
  });
});
