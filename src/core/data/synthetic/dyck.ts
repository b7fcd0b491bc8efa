/**
 * Balanced brackets (Dyck-k: k bracket types, nesting depth at most `maxDepth`).
 *
 * Tasks:
 * - `complete`: the prompt is a random unfinished bracket prefix (length in [minLength,
 *   maxLength], at least one bracket left open) followed by `|`; the answer is the unique
 *   closing sequence, e.g. `([{(|` → `)}])`. Scored only on the answer, so accuracy measures
 *   whether the model tracks the stack.
 * - `lm`: a complete balanced word (even length in [minLength, maxLength]); every token after
 *   the first is scored (next-token prediction on a context-free language).
 * Random walks: at each step open with probability 1/2 unless depth is 0 (must open) or
 * `maxDepth` (must close); in `lm` the walk also closes when the remaining length demands it.
 */
import { Rng } from '../../rng';
import type { TextExample } from '../sources';
import { sampleSplits } from './unique-sampler';

export const DYCK_PAIRS: readonly (readonly [string, string])[] = [
  ['(', ')'],
  ['[', ']'],
  ['{', '}'],
  ['<', '>'],
];

export type DyckTask = 'complete' | 'lm';

export interface DyckParams {
  /** Bracket types, 1–4: `()`, `[]`, `{}`, `<>`. */
  k: number;
  maxDepth: number;
  minLength: number;
  maxLength: number;
  task: DyckTask;
  numTrain: number;
  numValidation: number;
  seed: number;
}

export function dyckExamples(params: DyckParams): {
  train: TextExample[];
  validation: TextExample[];
} {
  const rng = Rng.derive(params.seed, 'dyck');
  const pairs = DYCK_PAIRS.slice(0, params.k);
  const { minLength, maxLength, maxDepth } = params;

  const drawComplete = (): TextExample => {
    for (let attempt = 0; ; attempt++) {
      if (attempt === 1000)
        throw new Error(
          `dyck: prefixes of length ${minLength}–${maxLength} with maxDepth ${maxDepth} are always balanced; allow an odd length or a larger maxDepth`,
        );
      const n = minLength + rng.int(maxLength - minLength + 1);
      const stack: number[] = [];
      let s = '';
      for (let i = 0; i < n; i++) {
        const open = stack.length === 0 || (stack.length < maxDepth && rng.int(2) === 0);
        if (open) {
          const t = rng.int(pairs.length);
          stack.push(t);
          s += pairs[t][0];
        } else {
          s += pairs[stack.pop()!][1];
        }
      }
      if (stack.length === 0) continue; // nothing to complete; draw again
      let answer = '';
      for (let i = stack.length - 1; i >= 0; i--) answer += pairs[stack[i]][1];
      return { prompt: `${s}|`, answer };
    }
  };

  const lo = Math.max(2, minLength + (minLength % 2));
  const hi = maxLength - (maxLength % 2);
  const drawLm = (): TextExample => {
    const n = lo + 2 * rng.int((hi - lo) / 2 + 1);
    const stack: number[] = [];
    let s = '';
    for (let i = 0; i < n; i++) {
      const remaining = n - i;
      const mustClose = stack.length === remaining || stack.length === maxDepth;
      const open = !mustClose && (stack.length === 0 || rng.int(2) === 0);
      if (open) {
        const t = rng.int(pairs.length);
        stack.push(t);
        s += pairs[t][0];
      } else {
        s += pairs[stack.pop()!][1];
      }
    }
    return { prompt: s[0], answer: s.slice(1) };
  };

  if (params.task === 'lm' && lo > hi)
    throw new Error(
      `dyck: task "lm" needs an even length between minLength ${minLength} and maxLength ${maxLength}`,
    );
  return sampleSplits(
    params.numTrain,
    params.numValidation,
    params.task === 'complete' ? drawComplete : drawLm,
    'dyck',
  );
}

/** True when `s` (brackets of the first k types only) is balanced. */
export function isBalanced(s: string, k = 4): boolean {
  const stack: string[] = [];
  for (const c of s) {
    const open = DYCK_PAIRS.slice(0, k).find((p) => p[0] === c);
    if (open) {
      stack.push(open[1]);
      continue;
    }
    if (stack.pop() !== c) return false;
  }
  return stack.length === 0;
}
