/**
 * Random Unicode text for round-trip tests. Each test run draws a fresh seed (reported in
 * failure messages) so the tokenizers are exercised on new strings every time.
 */
import { Rng } from '../../../src/core/rng';

const RANGES: [number, number][] = [
  [0x20, 0x7e], // ASCII printable
  [0x09, 0x0d], // tab, newlines, CR
  [0xa0, 0x24f], // Latin-1 and Latin Extended
  [0x300, 0x36f], // combining marks
  [0x391, 0x3c9], // Greek
  [0x410, 0x44f], // Cyrillic
  [0x5d0, 0x5ea], // Hebrew
  [0x4e00, 0x9fff], // CJK
  [0x3040, 0x30ff], // kana
  [0xac00, 0xd7a3], // Hangul
  [0x1f300, 0x1faff], // emoji (astral: surrogate pairs in JS)
  [0x10000, 0x10ffff], // anything astral, incl. unassigned
  [0x2000, 0x206f], // general punctuation, zero-width joiners
];

export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/** A random well-formed string of up to `maxLen` code points. */
export function randomText(rng: Rng, maxLen: number): string {
  const n = rng.int(maxLen + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const [lo, hi] = RANGES[rng.int(RANGES.length)];
    s += String.fromCodePoint(lo + rng.int(hi - lo + 1));
  }
  return s;
}
