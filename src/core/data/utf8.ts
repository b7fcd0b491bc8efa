/**
 * UTF-8 helpers shared by the byte-level tokenizer and the corpus loader.
 *
 * `TextDecoder` with `fatal: true` rejects bad input but does not say where; users fixing a
 * broken file need the byte offset, so `findInvalidUtf8` re-scans only when decoding failed.
 */
const encoder = new TextEncoder();
const lenientDecoder = new TextDecoder('utf-8');

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as in every UTF-8 encoder). */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decode bytes, replacing invalid sequences with U+FFFD (used for model samples). */
export function utf8DecodeLenient(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/**
 * Byte offset of the first byte that does not start or continue a valid UTF-8 sequence
 * (overlongs, surrogates and code points above U+10FFFF count as invalid), or -1 when valid.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else {
      return i;
    }
    if (i + need >= n) return i; // sequence truncated by the end of input
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Strict decode; throws `Utf8Error` with the offset of the first bad byte. */
export function utf8DecodeStrict(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Utf8Error(Math.max(0, findInvalidUtf8(bytes)));
  }
}

export class Utf8Error extends Error {
  constructor(readonly offset: number) {
    super(`invalid UTF-8 at byte offset ${offset}`);
    this.name = 'Utf8Error';
  }
}
