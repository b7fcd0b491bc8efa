/**
 * Byte-level BPE tokenizer (GPT-2 style, without GPT-2's byte-to-unicode remapping).
 *
 * Id layout: 0–255 = raw bytes, 256 + i = `merges[i]` (the concatenation of its two parts),
 * then the special tokens in order (default `<pad>`, `<eos>`). Every string is encodable
 * (any text is a byte sequence), and decoding the ids of `encode(s)` gives `s` back exactly.
 * Specials are never produced by `encode` (a literal "<eos>" in text is ordinary bytes); they
 * are only placed by the data pipeline. `decode` drops pad and renders other specials by name;
 * byte sequences that are not valid UTF-8 (possible in model samples) decode to U+FFFD.
 */
import { Int32Buffer } from './token-buffer';
import { forEachChunk } from './bpe-pretokenize';
import { MAX_BPE_VOCAB, trainBpeMerges } from './bpe-train';
import { PairHeap } from './pair-heap';
import type { SerializedTokenizer, Tokenizer } from './types';
import { utf8DecodeLenient, utf8Encode } from './utf8';

export const BPE_PAD = '<pad>';
export const BPE_EOS = '<eos>';
export const DEFAULT_BPE_SPECIALS: readonly string[] = [BPE_PAD, BPE_EOS];

const KEY = MAX_BPE_VOCAB;
const CACHE_MAX_ENTRIES = 50_000;
const CACHE_MAX_CHUNK = 128;

export interface BpeTrainConfig {
  /** Target vocabulary size including the 256 bytes and the specials. */
  vocabSize: number;
  specials?: readonly string[];
  /** Stop merging once the best pair is rarer than this (default 2); the vocab may then be smaller. */
  minFrequency?: number;
}

export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly vocabSize: number;
  readonly padId: number;
  /** Id of `<eos>`, or -1 when the specials have none. */
  readonly eosId: number;
  readonly merges: readonly (readonly [number, number])[];
  readonly specials: readonly string[];
  private readonly ranks = new Map<number, number>();
  private readonly bytesOf: Uint8Array[] = [];
  private readonly cache = new Map<string, number[]>();

  /** Validates the merge table: merge i may only use ids below 256 + i, and no pair twice. */
  constructor(
    merges: readonly (readonly [number, number])[],
    specials: readonly string[] = DEFAULT_BPE_SPECIALS,
  ) {
    const base = 256 + merges.length;
    if (base + specials.length > MAX_BPE_VOCAB)
      throw new Error(
        `bpe tokenizer: vocabulary of ${base + specials.length} exceeds ${MAX_BPE_VOCAB}`,
      );
    for (let i = 0; i < 256; i++) this.bytesOf.push(Uint8Array.of(i));
    merges.forEach((m, i) => {
      if (!Array.isArray(m) || m.length !== 2)
        throw new Error(`bpe tokenizer: merges[${i}] must be a pair [left, right]`);
      const [a, b] = m;
      for (const x of [a, b]) {
        if (!Number.isInteger(x) || x < 0 || x >= 256 + i)
          throw new Error(
            `bpe tokenizer: merges[${i}] = [${a}, ${b}] refers to id ${x}, but merge ${i} may only use ids 0..${255 + i}`,
          );
      }
      const key = a * KEY + b;
      if (this.ranks.has(key))
        throw new Error(
          `bpe tokenizer: merges[${i}] = [${a}, ${b}] repeats merges[${this.ranks.get(key)}]`,
        );
      this.ranks.set(key, i);
      const left = this.bytesOf[a];
      const right = this.bytesOf[b];
      const joined = new Uint8Array(left.length + right.length);
      joined.set(left);
      joined.set(right, left.length);
      this.bytesOf.push(joined);
    });
    const seen = new Set<string>();
    for (const s of specials) {
      if (typeof s !== 'string' || s.length === 0)
        throw new Error('bpe tokenizer: special tokens must be non-empty strings');
      if (seen.has(s))
        throw new Error(`bpe tokenizer: special token ${JSON.stringify(s)} appears twice`);
      seen.add(s);
    }
    if (!seen.has(BPE_PAD)) throw new Error(`bpe tokenizer: specials must include ${BPE_PAD}`);
    this.merges = merges.map((m) => [m[0], m[1]] as const);
    this.specials = [...specials];
    this.padId = base + specials.indexOf(BPE_PAD);
    this.eosId = specials.includes(BPE_EOS) ? base + specials.indexOf(BPE_EOS) : -1;
    this.vocabSize = base + specials.length;
  }

  /** Trains merges on `texts` (see `trainBpeMerges`) to reach `vocabSize` where the corpus allows. */
  static train(texts: Iterable<string>, config: BpeTrainConfig): BpeTokenizer {
    const specials = config.specials ?? DEFAULT_BPE_SPECIALS;
    const numMerges = config.vocabSize - 256 - specials.length;
    if (!Number.isInteger(config.vocabSize) || numMerges < 0)
      throw new Error(
        `bpe tokenizer: vocabSize must be an integer ≥ ${256 + specials.length} (256 bytes + ${specials.length} specials), got ${config.vocabSize}`,
      );
    const merges = trainBpeMerges(texts, { numMerges, minFrequency: config.minFrequency });
    return new BpeTokenizer(merges, specials);
  }

  encode(text: string): number[] {
    const out = new Int32Buffer(text.length);
    this.encodeInto(text, out);
    return out.toArray();
  }

  /** Ids of `text` appended to `out`, chunk by chunk (no array of the whole text's ids). */
  encodeInto(text: string, out: Int32Buffer): void {
    forEachChunk(text, (chunk) => {
      const cached = this.cache.get(chunk);
      if (cached) {
        out.pushAll(cached);
        return;
      }
      const ids = this.encodeChunk(chunk);
      if (chunk.length <= CACHE_MAX_CHUNK) {
        if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
        this.cache.set(chunk, ids);
      }
      out.pushAll(ids);
    });
  }

  /** Apply merges in rank order, left to right for equal ranks — O(n log n) per chunk. */
  private encodeChunk(chunk: string): number[] {
    const bytes = utf8Encode(chunk);
    const n = bytes.length;
    if (n < 2) return Array.from(bytes);
    const sym = Int32Array.from(bytes);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = new PairHeap(false);
    for (let i = 0; i + 1 < n; i++) {
      const r = this.ranks.get(sym[i] * KEY + sym[i + 1]);
      if (r !== undefined) heap.push(r, i);
    }
    while (heap.pop()) {
      const r = heap.topPriority;
      const pos = heap.topKey;
      if (sym[pos] < 0) continue;
      const nx = next[pos];
      if (nx < 0 || this.ranks.get(sym[pos] * KEY + sym[nx]) !== r) continue;
      // A merge made from token t always has a larger rank than t's own merge, so new pairs
      // never jump ahead of pending ones: this equals GPT-2's "lowest rank first" loop.
      sym[pos] = 256 + r;
      sym[nx] = -1;
      const nn = next[nx];
      next[pos] = nn;
      if (nn >= 0) prev[nn] = pos;
      const pv = prev[pos];
      if (pv >= 0) {
        const r2 = this.ranks.get(sym[pv] * KEY + sym[pos]);
        if (r2 !== undefined) heap.push(r2, pv);
      }
      if (nn >= 0) {
        const r2 = this.ranks.get(sym[pos] * KEY + sym[nn]);
        if (r2 !== undefined) heap.push(r2, pos);
      }
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(sym[i]);
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    const base = 256 + this.merges.length;
    let s = '';
    const pending: Uint8Array[] = [];
    let pendingLen = 0;
    const flush = (): void => {
      if (pendingLen === 0) return;
      const buf = new Uint8Array(pendingLen);
      let o = 0;
      for (const p of pending) {
        buf.set(p, o);
        o += p.length;
      }
      s += utf8DecodeLenient(buf);
      pending.length = 0;
      pendingLen = 0;
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (Number.isInteger(id) && id >= 0 && id < base) {
        const b = this.bytesOf[id];
        pending.push(b);
        pendingLen += b.length;
      } else if (Number.isInteger(id) && id >= base && id < this.vocabSize) {
        flush();
        if (id !== this.padId) s += this.specials[id - base];
      } else {
        throw new RangeError(
          `bpe tokenizer: id ${id} is outside the vocabulary [0, ${this.vocabSize})`,
        );
      }
    }
    flush();
    return s;
  }

  /** Id of a special token by name, or -1. */
  specialId(name: string): number {
    const i = this.specials.indexOf(name);
    return i < 0 ? -1 : 256 + this.merges.length + i;
  }

  toJSON(): SerializedTokenizer {
    return {
      kind: 'bpe',
      version: 1,
      merges: this.merges.map((m) => [m[0], m[1]]),
      specials: [...this.specials],
    };
  }
}
