import { describe, expect, it } from 'vitest';
import { splitChunks } from '../../../src/core/data/bpe-pretokenize';
import { BpeTokenizer } from '../../../src/core/data/bpe-tokenizer';
import { trainBpeMerges } from '../../../src/core/data/bpe-train';
import { tokenizerFromJSON } from '../../../src/core/data/tokenizer-json';
import { utf8Encode } from '../../../src/core/data/utf8';
import { Rng } from '../../../src/core/rng';
import { freshSeed, randomText } from './random-text';

/**
 * Reference trainer: the textbook O(corpus × merges) loop — recount every pair, take the most
 * frequent (ties: smallest pair), merge it left to right everywhere. The fast trainer must
 * produce exactly the same merges.
 */
function naiveMerges(texts: string[], numMerges: number, minFrequency = 2): [number, number][] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const c of splitChunks(t)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const words = [...counts].map(([c, n]) => ({ syms: Array.from(utf8Encode(c)), n }));
  const merges: [number, number][] = [];
  while (merges.length < numMerges) {
    const pairs = new Map<string, number>();
    for (const w of words)
      for (let i = 0; i + 1 < w.syms.length; i++) {
        const k = `${w.syms[i]},${w.syms[i + 1]}`;
        pairs.set(k, (pairs.get(k) ?? 0) + w.n);
      }
    let best: [number, number] | null = null;
    let bestN = 0;
    for (const [k, n] of pairs) {
      const [a, b] = k.split(',').map(Number) as [number, number];
      if (n > bestN || (n === bestN && best && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b];
        bestN = n;
      }
    }
    if (!best || bestN < minFrequency) break;
    const id = 256 + merges.length;
    merges.push(best);
    for (const w of words) {
      const out: number[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === best[0] && w.syms[i + 1] === best[1]) {
          out.push(id);
          i++;
        } else out.push(w.syms[i]);
      }
      w.syms = out;
    }
  }
  return merges;
}

/** Reference encoder: GPT-2's loop (merge the lowest-ranked pair everywhere, repeat). */
function naiveEncode(tok: BpeTokenizer, text: string): number[] {
  const rank = new Map(tok.merges.map(([a, b], i) => [`${a},${b}`, i]));
  const out: number[] = [];
  for (const chunk of splitChunks(text)) {
    let syms = Array.from(utf8Encode(chunk));
    for (;;) {
      let best = -1;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = rank.get(`${syms[i]},${syms[i + 1]}`);
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) break;
      const [a, b] = tok.merges[best];
      const next: number[] = [];
      for (let i = 0; i < syms.length; i++) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          next.push(256 + best);
          i++;
        } else next.push(syms[i]);
      }
      syms = next;
    }
    out.push(...syms);
  }
  return out;
}

const ENGLISH =
  'the quick brown fox jumps over the lazy dog. the dog sleeps; the fox runs away, again and again!\n' +
  "aaaa bbbb aaaaaaa — it's the fox's den. 1234 5678 1234.\n";

describe('BPE training', () => {
  it('matches the textbook algorithm exactly (incl. overlapping runs like "aaaa")', () => {
    const texts = [ENGLISH.repeat(3), 'mississippi mississippi 中文中文中文 😀😀😀😀'];
    const fast = trainBpeMerges(texts, { numMerges: 120 });
    expect(fast.length).toBeGreaterThan(40);
    expect(fast).toEqual(naiveMerges(texts, 120));
  });

  it('matches the textbook algorithm on random corpora drawn fresh each run', () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    const alphabet = ['a', 'b', 'c', ' ', 'é', '中', '😀', '\n', '.'];
    for (let trial = 0; trial < 5; trial++) {
      let text = '';
      for (let i = 0; i < 800; i++) text += alphabet[rng.int(alphabet.length)];
      expect(trainBpeMerges([text], { numMerges: 60 }), `seed ${seed}`).toEqual(
        naiveMerges([text], 60),
      );
    }
  });

  it('is deterministic: same corpus ⇒ same merges; different corpus ⇒ different merges', () => {
    const a = BpeTokenizer.train([ENGLISH], { vocabSize: 300 });
    const b = BpeTokenizer.train([ENGLISH], { vocabSize: 300 });
    expect(a.toJSON()).toEqual(b.toJSON());
    const c = BpeTokenizer.train([ENGLISH.toUpperCase()], { vocabSize: 300 });
    expect(c.toJSON()).not.toEqual(a.toJSON());
  });

  it('reaches the target vocabulary when the corpus allows, and stops early when it does not', () => {
    const tok = BpeTokenizer.train([ENGLISH.repeat(5)], { vocabSize: 280 });
    expect(tok.vocabSize).toBe(280);
    expect(tok.merges.length).toBe(280 - 256 - 2);
    const tiny = BpeTokenizer.train(['ab'], { vocabSize: 1000 });
    expect(tiny.merges.length).toBe(0); // "ab" occurs once < minFrequency 2
    expect(tiny.vocabSize).toBe(258);
    expect(() => BpeTokenizer.train(['x'], { vocabSize: 100 })).toThrow(
      /vocabSize must be an integer ≥ 258/,
    );
  });

  it('trains a 2 MB corpus in seconds', () => {
    const rng = new Rng(7);
    const words = Array.from({ length: 3000 }, () => randomText(rng, 8).replace(/\s/g, '') || 'x');
    const parts: string[] = [];
    let size = 0;
    while (size < 2_000_000) {
      const w = words[Math.min(words.length - 1, Math.floor(-Math.log(rng.next() + 1e-12) * 300))];
      parts.push(w);
      size += w.length + 1;
    }
    const text = parts.join(' ');
    const t0 = performance.now();
    const tok = BpeTokenizer.train([text], { vocabSize: 4096 });
    const ms = performance.now() - t0;
    expect(tok.merges.length).toBeGreaterThan(1000);
    expect(ms).toBeLessThan(15_000);
  });
});

describe('BPE encode/decode', () => {
  const tok = BpeTokenizer.train([ENGLISH.repeat(4), '中文中文 😀😀 日本語のテキスト'], {
    vocabSize: 400,
  });

  it('encodes exactly like the reference GPT-2 loop', () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    for (const s of [ENGLISH, 'aaaaaaaaa', 'the the the', '中文中文中文'])
      expect(tok.encode(s)).toEqual(naiveEncode(tok, s));
    for (let i = 0; i < 100; i++) {
      const s = randomText(rng, 30) + ' the fox ' + randomText(rng, 10);
      expect(tok.encode(s), `seed ${seed}`).toEqual(naiveEncode(tok, s));
    }
  });

  it('round-trips random Unicode (emoji, CJK, combining marks, controls) drawn fresh each run', () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    for (let i = 0; i < 500; i++) {
      const s = randomText(rng, 60);
      const ids = tok.encode(s);
      expect(tok.decode(ids), `seed ${seed}`).toBe(s);
      for (const id of ids) expect(id < 256 + tok.merges.length).toBe(true); // never a special
    }
    expect(tok.decode(tok.encode(''))).toBe('');
  });

  it('compresses text it was trained on', () => {
    expect(tok.encode(ENGLISH).length).toBeLessThan(utf8Encode(ENGLISH).length / 2);
  });

  it('decodes pad as nothing, eos by name, broken byte sequences as U+FFFD', () => {
    expect(tok.decode([104, tok.padId, 105])).toBe('hi');
    expect(tok.decode([104, tok.eosId])).toBe('h<eos>');
    expect(tok.decode([0xe4, 0xb8])).toBe('\uFFFD');
    expect(() => tok.decode([tok.vocabSize])).toThrow(RangeError);
    expect(tok.encode('<eos><pad>')).not.toContain(tok.eosId);
  });

  it('serialises and rebuilds identically', () => {
    const json = JSON.parse(JSON.stringify(tok.toJSON()));
    const back = tokenizerFromJSON(json);
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(back.padId).toBe(tok.padId);
    expect(back.toJSON()).toEqual(tok.toJSON());
    expect(back.encode(ENGLISH)).toEqual(tok.encode(ENGLISH));
  });
});
