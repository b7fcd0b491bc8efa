/**
 * Character-level tokenizer: one id per Unicode code point seen in the corpus.
 *
 * Id layout (stable, so a stored run decodes its own samples): 0 = pad, 1 = unk (when the
 * unknown-char policy is `'unk'`), then the corpus characters sorted by code point. Sorting by
 * code point (not by frequency or first appearance) makes the vocabulary a pure function of the
 * character *set*, so two corpora with the same characters share ids.
 *
 * Unknown-character policy (characters not in the vocabulary, e.g. in a user's prompt):
 * - `'unk'` (default): encoded as the unk id, decoded as U+FFFD "�";
 * - `'error'`: `encode` throws, naming the character and its position.
 * The pad id decodes to the empty string, so padded rows decode to their text.
 */
import { Int32Buffer } from './token-buffer';
import type { SerializedTokenizer, Tokenizer } from './types';

export type UnknownCharPolicy = 'unk' | 'error';

export const CHAR_PAD = '<pad>';
export const CHAR_UNK = '<unk>';

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  readonly padId = 0;
  /** Id of the unknown-character token, or -1 under the `'error'` policy. */
  readonly unkId: number;
  readonly vocabSize: number;
  /** Characters in id order (after the special ids). */
  readonly chars: readonly string[];
  private readonly firstCharId: number;
  private readonly ids = new Map<string, number>();

  /** `chars` must be distinct single code points; they are sorted here. */
  constructor(
    chars: Iterable<string>,
    readonly unknownPolicy: UnknownCharPolicy = 'unk',
  ) {
    const sorted = [...new Set(chars)].sort(compareCodePoints);
    for (const c of sorted) {
      if ([...c].length !== 1)
        throw new Error(`char tokenizer: ${JSON.stringify(c)} is not one character`);
    }
    this.chars = sorted;
    this.unkId = unknownPolicy === 'unk' ? 1 : -1;
    this.firstCharId = unknownPolicy === 'unk' ? 2 : 1;
    sorted.forEach((c, i) => this.ids.set(c, this.firstCharId + i));
    this.vocabSize = this.firstCharId + sorted.length;
  }

  /**
   * Vocabulary = every code point occurring in `texts`. One pass over UTF-16 units with a
   * table for the Basic Multilingual Plane (a set only for astral characters), so a corpus of
   * hundreds of MB takes a second, not a string iterator's allocation per character.
   */
  static fromTexts(texts: Iterable<string>, policy: UnknownCharPolicy = 'unk'): CharTokenizer {
    const bmp = new Uint8Array(0x10000);
    const astral = new Set<string>();
    for (const t of texts)
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        const next = i + 1 < t.length ? t.charCodeAt(i + 1) : 0;
        if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          astral.add(t.slice(i, i + 2));
          i++;
        } else bmp[c] = 1;
      }
    const set: string[] = [];
    for (let c = 0; c < 0x10000; c++) if (bmp[c]) set.push(String.fromCharCode(c));
    return new CharTokenizer([...set, ...astral], policy);
  }

  encode(text: string): number[] {
    const out = new Int32Buffer(text.length);
    this.encodeInto(text, out);
    return out.toArray();
  }

  /** Ids of `text` appended to `out` (a code point per id; at most `text.length` of them). */
  encodeInto(text: string, out: Int32Buffer): void {
    out.reserve(text.length);
    // BMP characters by table; astral ones (surrogate pairs) through the map.
    const table = this.bmpTable();
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let id = -1;
      let width = 1;
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        width = 2;
        id = this.ids.get(text.slice(i, i + 2)) ?? -1;
      } else id = table[c];
      if (id < 0) {
        if (this.unkId < 0) {
          const ch = text.slice(i, i + width);
          throw new Error(
            `char tokenizer: character ${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) at position ${i} is not in the vocabulary; ` +
              'remove it from the text or rebuild the tokenizer with the unknown-char policy "unk"',
          );
        }
        id = this.unkId;
      }
      out.push(id);
      i += width - 1;
    }
  }

  private bmp: Int32Array | null = null;
  /** Id of every BMP code unit (-1: not in the vocabulary), built on first use. */
  private bmpTable(): Int32Array {
    if (!this.bmp) {
      this.bmp = new Int32Array(0x10000).fill(-1);
      for (const [c, id] of this.ids) if (c.length === 1) this.bmp[c.charCodeAt(0)] = id;
    }
    return this.bmp;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === this.padId) continue;
      if (id === this.unkId) s += '\uFFFD';
      else if (id >= this.firstCharId && id < this.vocabSize)
        s += this.chars[id - this.firstCharId];
      else
        throw new RangeError(
          `char tokenizer: id ${id} is outside the vocabulary [0, ${this.vocabSize})`,
        );
    }
    return s;
  }

  /** Id of one character, or undefined when it is not in the vocabulary. */
  idOf(char: string): number | undefined {
    return this.ids.get(char);
  }

  toJSON(): SerializedTokenizer {
    const json: SerializedTokenizer = {
      kind: 'char',
      version: 1,
      chars: [...this.chars],
      pad: CHAR_PAD,
    };
    if (this.unkId >= 0) json.unk = CHAR_UNK;
    return json;
  }
}

/** Order by Unicode code point (plain `<` on strings compares UTF-16 units, which misorders astral chars). */
export function compareCodePoints(a: string, b: string): number {
  return a.codePointAt(0)! - b.codePointAt(0)!;
}
