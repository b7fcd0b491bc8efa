/**
 * The contract between datasets and the training loop.
 *
 * Every dataset — synthetic task or user corpus — is turned into fixed-length token windows of
 * `contextLength + 1` ids: inputs are the first T, targets the last T (next-token prediction).
 * A per-position loss weight lets synthetic tasks score only the answer tokens (e.g. the `c` in
 * `a+b=c`) and ignore padding; plain corpora weight every position 1.
 */
import type { Int32Buffer } from './token-buffer';

/** One training or evaluation batch, row-major [batchSize, contextLength]. */
export interface Batch {
  batchSize: number;
  contextLength: number;
  /** Token ids fed to the model, [B*T]. */
  inputs: Int32Array;
  /** Next-token ids to predict, [B*T]. */
  targets: Int32Array;
  /** Loss weight per position, [B*T]: 1 = scored, 0 = ignored (padding, prompt). */
  weights: Float32Array;
  /**
   * Optional: which example (synthetic tasks) or window (corpus streams) each row came from,
   * [B]; -1 marks a zero-weight filler row that only keeps the batch shape fixed.
   */
  exampleIndices?: Int32Array;
}

/** A serialisable tokenizer: a stored run rebuilds it from `toJSON()` to decode its samples. */
export interface Tokenizer {
  readonly kind: 'char' | 'bpe';
  readonly vocabSize: number;
  /** Id used to pad synthetic examples; never a real character/merge. */
  readonly padId: number;
  encode(text: string): number[];
  /** Appends the ids of `text` to `out`: the same ids as `encode`, without a JS array (long texts). */
  encodeInto(text: string, out: Int32Buffer): void;
  decode(ids: ArrayLike<number>): string;
  toJSON(): SerializedTokenizer;
}

/**
 * JSON form of a tokenizer (see `tokenizerFromJSON` in `tokenizer-json.ts` for the id layout).
 * char: id 0 = pad, id 1 = unk when `unk` is present, then `chars` (one code point each, sorted).
 * bpe: ids 0–255 = bytes, 256 + i = `merges[i]`, then `specials` (must include `<pad>`).
 */
export type SerializedTokenizer =
  | { kind: 'char'; version: 1; chars: string[]; pad: string; unk?: string }
  | { kind: 'bpe'; version: 1; merges: [number, number][]; specials: string[] };
