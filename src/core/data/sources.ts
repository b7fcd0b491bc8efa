/**
 * Tokenized data, in the two shapes the batcher understands.
 *
 * - `examples`: independent prompt+answer sequences (synthetic tasks). Each is placed
 *   left-aligned in its own row, padded, and only its answer tokens are scored.
 * - `stream`: one long token sequence (corpora, the PCFG text), cut into windows of
 *   contextLength + 1 tokens, every position scored.
 */
import { Int32Buffer } from './token-buffer';
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
 * tokenizer the concatenation still decodes to `prompt + answer`. Ids go straight into typed
 * buffers: a million long examples never exist as JS arrays.
 */
export function encodeExamples(
  examples: readonly TextExample[],
  tokenizer: Tokenizer,
): ExampleSource {
  const offsets = new Int32Array(examples.length + 1);
  const answerStarts = new Int32Array(examples.length);
  const tokens = new Int32Buffer();
  let maxLength = 0;
  examples.forEach((ex, i) => {
    const start = tokens.length;
    tokenizer.encodeInto(ex.prompt, tokens);
    answerStarts[i] = tokens.length;
    tokenizer.encodeInto(ex.answer, tokens);
    offsets[i + 1] = tokens.length;
    maxLength = Math.max(maxLength, tokens.length - start);
  });
  const mask = new Uint8Array(tokens.length);
  for (let i = 0; i < examples.length; i++) mask.fill(1, answerStarts[i], offsets[i + 1]);
  return {
    kind: 'examples',
    count: examples.length,
    maxLength,
    offsets,
    tokens: tokens.toInt32Array(),
    answerMask: mask,
  };
}

/**
 * Tokenizes a long text into one stream, straight into a typed buffer (`Tokenizer.encodeInto`):
 * a 200 MB corpus never exists as a JS number[] (8 bytes a token, and V8 caps array lengths
 * near 2^27). The result equals `tokenizer.encode(text)`.
 */
export function encodeStream(text: string, tokenizer: Tokenizer): StreamSource {
  const out = new Int32Buffer(text.length);
  tokenizer.encodeInto(text, out);
  return { kind: 'stream', tokens: out.toInt32Array() };
}

/** Tokens of example i (a view, not a copy). */
export function exampleTokens(source: ExampleSource, i: number): Int32Array {
  return source.tokens.subarray(source.offsets[i], source.offsets[i + 1]);
}

/** Answer mask of example i (a view). */
export function exampleAnswerMask(source: ExampleSource, i: number): Uint8Array {
  return source.answerMask.subarray(source.offsets[i], source.offsets[i + 1]);
}
