/**
 * Deterministic byte-level BPE training.
 *
 * Algorithm: pre-tokenize (see `bpe-pretokenize.ts`) and count distinct chunks; lay every
 * distinct chunk's bytes out in one flat doubly linked list (weighted by the chunk's count);
 * count adjacent pairs and remember where each occurs. Each merge takes the most frequent pair
 * from a max-heap and rewrites only the positions where that pair occurs, adjusting the counts
 * of the neighbouring pairs — so the total work is proportional to the number of positions
 * changed, not to corpus size × merges (a multi-MB corpus trains in seconds).
 *
 * Ties: among pairs with equal count, the pair with the smaller (left id, right id) wins, so
 * the result depends only on the corpus text, never on hash-map iteration order. Occurrences
 * of a pair are merged left to right within a chunk (matters for runs like "aaaa"), matching
 * how `BpeTokenizer.encode` applies merges.
 */
import { forEachChunk } from './bpe-pretokenize';
import { PairHeap } from './pair-heap';
import { utf8Encode } from './utf8';

/** Ids stay below 2^20, so a pair packs into one exact JS number. */
export const MAX_BPE_VOCAB = 1 << 20;
const KEY = MAX_BPE_VOCAB;

export interface BpeTrainOptions {
  /** Number of merges to learn at most (vocab = 256 + merges + specials). */
  numMerges: number;
  /** Stop when the best pair occurs fewer times than this (default 2). */
  minFrequency?: number;
}

/** Learns up to `numMerges` merges from `texts`; merge i creates token id 256 + i. */
export function trainBpeMerges(texts: Iterable<string>, opts: BpeTrainOptions): [number, number][] {
  const minFrequency = opts.minFrequency ?? 2;
  const chunkCounts = new Map<string, number>();
  for (const text of texts) {
    forEachChunk(text, (c) => chunkCounts.set(c, (chunkCounts.get(c) ?? 0) + 1));
  }

  // Flat layout of all distinct multi-byte chunks.
  const words: Uint8Array[] = [];
  const wordCounts: number[] = [];
  let total = 0;
  for (const [chunk, count] of chunkCounts) {
    const bytes = utf8Encode(chunk);
    if (bytes.length < 2) continue;
    words.push(bytes);
    wordCounts.push(count);
    total += bytes.length;
  }
  const sym = new Int32Array(total);
  const next = new Int32Array(total);
  const prev = new Int32Array(total);
  const weight = new Float64Array(total);
  let p = 0;
  for (let w = 0; w < words.length; w++) {
    const bytes = words[w];
    for (let i = 0; i < bytes.length; i++, p++) {
      sym[p] = bytes[i];
      weight[p] = wordCounts[w];
      prev[p] = i === 0 ? -1 : p - 1;
      next[p] = i === bytes.length - 1 ? -1 : p + 1;
    }
  }

  const counts = new Map<number, number>();
  const where = new Map<number, number[]>();
  const add = (key: number, w: number, pos: number): void => {
    counts.set(key, (counts.get(key) ?? 0) + w);
    const list = where.get(key);
    if (list) list.push(pos);
    else where.set(key, [pos]);
  };
  for (let i = 0; i < total; i++) if (next[i] >= 0) add(sym[i] * KEY + sym[i + 1], weight[i], i);

  const heap = new PairHeap(true);
  for (const [key, c] of counts) heap.push(c, key);

  const merges: [number, number][] = [];
  const touched = new Set<number>();
  while (merges.length < opts.numMerges) {
    let found = false;
    while (heap.pop()) {
      if (counts.get(heap.topKey) === heap.topPriority) {
        found = true;
        break;
      }
    }
    if (!found || heap.topPriority < minFrequency) break;
    const key = heap.topKey;
    const a = Math.floor(key / KEY);
    const b = key - a * KEY;
    const id = 256 + merges.length;
    if (id >= MAX_BPE_VOCAB) break;
    merges.push([a, b]);

    const positions = where.get(key)!;
    where.delete(key);
    positions.sort((x, y) => x - y); // left-to-right within each chunk
    touched.clear();
    const dec = (k: number, w: number): void => {
      counts.set(k, counts.get(k)! - w);
      touched.add(k);
    };
    for (const pos of positions) {
      if (sym[pos] !== a) continue; // stale: this position was rewritten by an earlier merge
      const nx = next[pos];
      if (nx < 0 || sym[nx] !== b) continue;
      const w = weight[pos];
      const pv = prev[pos];
      const nn = next[nx];
      if (pv >= 0) dec(sym[pv] * KEY + a, w);
      if (nn >= 0) dec(b * KEY + sym[nn], w);
      sym[pos] = id;
      sym[nx] = -1;
      next[pos] = nn;
      if (nn >= 0) prev[nn] = pos;
      if (pv >= 0) {
        const k = sym[pv] * KEY + id;
        add(k, w, pv);
        touched.add(k);
      }
      if (nn >= 0) {
        const k = id * KEY + sym[nn];
        add(k, w, pos);
        touched.add(k);
      }
    }
    counts.delete(key);
    touched.delete(key);
    for (const k of touched) {
      const c = counts.get(k)!;
      if (c > 0) heap.push(c, k);
      else {
        counts.delete(k);
        where.delete(k);
      }
    }
  }
  return merges;
}
