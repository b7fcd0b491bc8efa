import { describe, expect, it } from 'vitest';
import {
  findInvalidUtf8,
  utf8DecodeStrict,
  utf8Encode,
  Utf8Error,
} from '../../../src/core/data/utf8';
import { Rng } from '../../../src/core/rng';
import { freshSeed, randomText } from './random-text';

describe('findInvalidUtf8', () => {
  it('accepts valid UTF-8 drawn at random', () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    for (let i = 0; i < 200; i++) {
      const bytes = utf8Encode(randomText(rng, 50));
      expect(findInvalidUtf8(bytes), `seed ${seed}`).toBe(-1);
    }
  });

  it.each([
    ['lone continuation byte', [0x61, 0x80], 1],
    ['invalid lead byte', [0x61, 0x62, 0xff], 2],
    ['overlong encoding of "/"', [0xc0, 0xaf], 0],
    ['overlong 3-byte', [0x41, 0xe0, 0x80, 0xaf], 1],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80], 0],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['truncated at end', [0x61, 0xe4, 0xb8], 1],
    ['bad continuation', [0xe4, 0x41, 0x41], 0],
  ])('finds the offset of a %s', (_name, bytes, offset) => {
    const u = Uint8Array.from(bytes);
    expect(findInvalidUtf8(u)).toBe(offset);
    expect(() => utf8DecodeStrict(u)).toThrow(Utf8Error);
    try {
      utf8DecodeStrict(u);
    } catch (e) {
      expect((e as Utf8Error).offset).toBe(offset);
    }
  });
});
