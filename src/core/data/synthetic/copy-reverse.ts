/**
 * Copy / reverse: a random string over a small alphabet, then a marker, then the string copied
 * (`>`) or reversed (`<`). Prompt `abca>` → answer `abca`; prompt `abca<` → answer `acba`.
 * `mixed` picks copy or reverse per example at random, so the model must read the marker.
 * Lengths are uniform in [minLength, maxLength]. A classic emergence task: the copy circuit
 * (induction-like attention) tends to appear abruptly during training.
 */
import { Rng } from '../../rng';
import type { TextExample } from '../sources';
import { sampleSplits } from './unique-sampler';

export type CopyMode = 'copy' | 'reverse' | 'mixed';
export const COPY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

export interface CopyReverseParams {
  mode: CopyMode;
  /** Number of distinct symbols, 2–26 (`a`, `b`, …). */
  alphabetSize: number;
  minLength: number;
  maxLength: number;
  numTrain: number;
  numValidation: number;
  seed: number;
}

export function copyReverseExamples(params: CopyReverseParams): {
  train: TextExample[];
  validation: TextExample[];
} {
  const rng = Rng.derive(params.seed, 'copy-reverse');
  const alphabet = COPY_ALPHABET.slice(0, params.alphabetSize);
  const draw = (): TextExample => {
    const n = params.minLength + rng.int(params.maxLength - params.minLength + 1);
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
    const reverse = params.mode === 'reverse' || (params.mode === 'mixed' && rng.int(2) === 1);
    return reverse
      ? { prompt: `${s}<`, answer: [...s].reverse().join('') }
      : { prompt: `${s}>`, answer: s };
  };
  return sampleSplits(params.numTrain, params.numValidation, draw, 'copy-reverse');
}
