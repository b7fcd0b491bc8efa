/**
 * Pre-tokenization for byte-level BPE: split text into chunks that merges never cross.
 *
 * The pattern is GPT-2's (contractions, optionally space-led letter runs / number runs /
 * punctuation runs, whitespace), with Unicode classes so it works for any script. It keeps
 * training fast (we count distinct chunks, not positions) and stops merges from gluing words
 * to punctuation. The chunks always concatenate back to the input exactly: any gap the pattern
 * leaves (it leaves none for well-formed strings, but lone surrogates are possible in JS) is
 * emitted as its own chunk, so encoding stays lossless.
 */
const PATTERN = /'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Calls `emit` for each chunk of `text`, in order. */
export function forEachChunk(text: string, emit: (chunk: string) => void): void {
  const re = new RegExp(PATTERN.source, PATTERN.flags);
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > last) emit(text.slice(last, m.index));
    if (m[0].length === 0) {
      re.lastIndex++; // defensive: the pattern cannot match empty, but never loop forever
      continue;
    }
    emit(m[0]);
    last = m.index + m[0].length;
  }
  if (last < text.length) emit(text.slice(last));
}

/** The chunks of `text` as an array (convenience for tests and small inputs). */
export function splitChunks(text: string): string[] {
  const out: string[] = [];
  forEachChunk(text, (c) => out.push(c));
  return out;
}
