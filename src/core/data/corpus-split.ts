/**
 * Deterministic train/validation split of a loaded corpus.
 *
 * - One document (a `.txt` file, or a one-line `.jsonl`): the last `validationFraction` of the
 *   text is held out, cut at a line break when one lies in the second half of the text before
 *   the cut point (so a sentence is not split mid-way), else at a code-point boundary. A tail
 *   split (as in nanoGPT) keeps related text together.
 * - Several documents: round(fraction · n) documents (at least 1) are chosen by a seeded
 *   shuffle; both splits keep file order; documents are joined with a blank line.
 */
import { Rng } from '../rng';

export const DOCUMENT_SEPARATOR = '\n\n';

export function splitCorpus(
  documents: readonly string[],
  validationFraction: number,
  seed: number,
): { train: string; validation: string } {
  if (documents.length >= 2) {
    const nVal = Math.min(
      documents.length - 1,
      Math.max(1, Math.round(validationFraction * documents.length)),
    );
    const order = Int32Array.from(documents.keys());
    Rng.derive(seed, 'corpus-split').shuffle(order);
    const isVal = new Uint8Array(documents.length);
    for (let i = 0; i < nVal; i++) isVal[order[i]] = 1;
    const train = documents.filter((_, i) => !isVal[i]).join(DOCUMENT_SEPARATOR);
    const validation = documents.filter((_, i) => isVal[i]).join(DOCUMENT_SEPARATOR);
    return { train, validation };
  }
  const text = documents[0] ?? '';
  let cut = Math.floor(text.length * (1 - validationFraction));
  const nl = text.lastIndexOf('\n', cut - 1);
  if (nl >= 0 && nl + 1 > cut / 2) cut = nl + 1;
  else if (cut > 0 && cut < text.length && isLowSurrogate(text.charCodeAt(cut))) cut--; // keep pairs whole
  return { train: text.slice(0, cut), validation: text.slice(cut) };
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
