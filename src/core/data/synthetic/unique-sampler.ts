/**
 * Draws distinct examples from a generator, so a split never repeats an example and the
 * held-out split never overlaps training (overlap would make "held-out" accuracy meaningless).
 */
import type { TextExample } from '../sources';

/**
 * Draws `count` examples whose prompt+answer is not in `exclude` and not repeated; adds them
 * to `exclude`. Throws a clear error when the task's example space is too small.
 */
export function sampleUnique(
  count: number,
  exclude: Set<string>,
  draw: () => TextExample,
  what: string,
): TextExample[] {
  const out: TextExample[] = [];
  const maxAttempts = 50 * count + 1000;
  let attempts = 0;
  while (out.length < count) {
    if (++attempts > maxAttempts)
      throw new Error(
        `${what}: could only draw ${out.length} distinct examples of the ${count} requested after ${maxAttempts} tries; ` +
          'the task has too few possible examples — lower numTrain/numValidation or allow longer sequences / more symbols',
      );
    const ex = draw();
    const key = `${ex.prompt}\u0000${ex.answer}`;
    if (exclude.has(key)) continue;
    exclude.add(key);
    out.push(ex);
  }
  return out;
}

/** Held-out first, then training from what is left: the two splits are disjoint by construction. */
export function sampleSplits(
  numTrain: number,
  numValidation: number,
  draw: () => TextExample,
  what: string,
): { train: TextExample[]; validation: TextExample[] } {
  const seen = new Set<string>();
  const validation = sampleUnique(numValidation, seen, draw, what);
  const train = sampleUnique(numTrain, seen, draw, what);
  return { train, validation };
}
