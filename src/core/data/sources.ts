/**
 * Tokenized data, in the two shapes the batcher understands.
 *
 * - `examples`: independent prompt+answer sequences (synthetic tasks). Each is placed
 *   left-aligned in its own row, padded, and only its answer tokens are scored.
 * - `stream`: one long token sequence (corpora, the PCFG text), cut into windows of
 *   contextLength + 1 tokens, every position scored.
 */
import type { Tokenizer } from './types';

export interface ExampleSource {
  kind: 'examples';
  /** Number of examples. */
  count: number;
  /** Length in tokens of the longest example (rows need contextLength ≥ maxLength − 1). */
  maxLength: number;
  /** Example i is `tokens[offsets[i] .. offsets[i + 1])`; length count + 1. */
  offsets: Int32Array;
  tokens: Int32Array;
  /** 1 where the token belongs to the answer (scored when it is the prediction target); same layout as `tokens`. */
  answerMask: Uint8Array;
}

export interface StreamSource {
  kind: 'stream';
  tokens: Int32Array;
}

export type DataSource = ExampleSource | StreamSource;

/** A synthetic example as text: the model sees `prompt + answer` and is scored on `answer`. */
export interface TextExample {
  prompt: string;
  answer: string;
}

/**
 * Tokenizes examples. Prompt and answer are encoded separately and concatenated, so the answer
 * boundary is exact even for BPE (whose merges could otherwise straddle it); for a byte-level
 * tokenizer the concatenation still decodes to `prompt + answer`.
 */
export function encodeExamples(
  examples: readonly TextExample[],
  tokenizer: Tokenizer,
): ExampleSource {
  const offsets = new Int32Array(examples.length + 1);
  const tokens: number[] = [];
  const mask: number[] = [];
  let maxLength = 0;
  examples.forEach((ex, i) => {
    const p = tokenizer.encode(ex.prompt);
    const a = tokenizer.encode(ex.answer);
    for (const id of p) {
      tokens.push(id);
      mask.push(0);
    }
    for (const id of a) {
      tokens.push(id);
      mask.push(1);
    }
    offsets[i + 1] = tokens.length;
    maxLength = Math.max(maxLength, p.length + a.length);
  });
  return {
    kind: 'examples',
    count: examples.length,
    maxLength,
    offsets,
    tokens: Int32Array.from(tokens),
    answerMask: Uint8Array.from(mask),
  };
}

/**
 * Tokenizes a long text into one stream. Encodes piece by piece (about `pieceChars` characters
 * each) into a growing Int32Array, so a 100 MB corpus never exists as a JS number[] (8 bytes a
 * token). Pieces end only at a "\n" that has a non-space character on both sides: there both
 * the char tokenizer and BPE's pre-tokenizer already have a boundary, so the result equals
 * `tokenizer.encode(text)` exactly.
 */
export function encodeStream(
  text: string,
  tokenizer: Tokenizer,
  pieceChars = 1 << 20,
): StreamSource {
  let out = new Int32Array(Math.min(text.length + 16, 1 << 20));
  let n = 0;
  let start = 0;
  while (start < text.length) {
    const end = safePieceEnd(text, start + pieceChars);
    const ids = tokenizer.encode(text.slice(start, end));
    if (n + ids.length > out.length) {
      const grown = new Int32Array(Math.max(out.length * 2, n + ids.length));
      grown.set(out.subarray(0, n));
      out = grown;
    }
    out.set(ids, n);
    n += ids.length;
    start = end;
  }
  return { kind: 'stream', tokens: out.slice(0, n) };
}

const isSpace = (c: string): boolean => /\s/.test(c);

/** First safe piece end at or after `from` (or the text's end). */
function safePieceEnd(text: string, from: number): number {
  for (
    let i = text.indexOf('\n', Math.max(1, from - 1));
    i >= 0 && i + 1 < text.length;
    i = text.indexOf('\n', i + 1)
  ) {
    if (i >= 1 && !isSpace(text[i - 1]) && !isSpace(text[i + 1])) return i + 1;
  }
  return text.length;
}

/** Tokens of example i (a view, not a copy). */
export function exampleTokens(source: ExampleSource, i: number): Int32Array {
  return source.tokens.subarray(source.offsets[i], source.offsets[i + 1]);
}

/** Answer mask of example i (a view). */
export function exampleAnswerMask(source: ExampleSource, i: number): Uint8Array {
  return source.answerMask.subarray(source.offsets[i], source.offsets[i + 1]);
}
