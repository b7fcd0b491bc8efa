/**
 * Rebuild a tokenizer from its stored JSON (`Tokenizer.toJSON()`), validating everything a
 * hand-edited or corrupted record could get wrong, with an error that names the field.
 */
import { z } from 'zod';
import { BpeTokenizer } from './bpe-tokenizer';
import { CHAR_PAD, CHAR_UNK, CharTokenizer, compareCodePoints } from './char-tokenizer';
import type { SerializedTokenizer, Tokenizer } from './types';

const charSchema = z.strictObject({
  kind: z.literal('char'),
  version: z.literal(1),
  chars: z.array(z.string()),
  pad: z.literal(CHAR_PAD),
  unk: z.literal(CHAR_UNK).optional(),
});

const bpeSchema = z.strictObject({
  kind: z.literal('bpe'),
  version: z.literal(1),
  merges: z.array(z.tuple([z.int().min(0), z.int().min(0)])),
  specials: z.array(z.string().min(1)),
});

/** Zod schema of `SerializedTokenizer` (shape only; `tokenizerFromJSON` also checks semantics). */
export const serializedTokenizerSchema = z.discriminatedUnion('kind', [charSchema, bpeSchema]);

export class TokenizerJsonError extends Error {
  constructor(message: string) {
    super(`invalid tokenizer JSON: ${message}`);
    this.name = 'TokenizerJsonError';
  }
}

/** Parses and validates serialized tokenizer JSON (an object or a JSON string). */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new TokenizerJsonError(`not JSON (${(e as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null)
    throw new TokenizerJsonError('expected an object');
  const kind = (value as { kind?: unknown }).kind;
  if (kind !== 'char' && kind !== 'bpe')
    throw new TokenizerJsonError(`kind: expected "char" or "bpe", got ${JSON.stringify(kind)}`);
  const parsed = serializedTokenizerSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TokenizerJsonError(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const data: SerializedTokenizer = parsed.data;
  try {
    if (data.kind === 'char') {
      data.chars.forEach((c, i) => {
        if ([...c].length !== 1)
          throw new TokenizerJsonError(
            `chars[${i}] = ${JSON.stringify(c)} is not exactly one character`,
          );
        if (i > 0 && compareCodePoints(data.chars[i - 1], c) >= 0)
          throw new TokenizerJsonError(
            `chars must be distinct and sorted by code point (chars[${i}])`,
          );
      });
      return new CharTokenizer(data.chars, data.unk === undefined ? 'error' : 'unk');
    }
    return new BpeTokenizer(data.merges, data.specials);
  } catch (e) {
    if (e instanceof TokenizerJsonError) throw e;
    throw new TokenizerJsonError((e as Error).message);
  }
}
