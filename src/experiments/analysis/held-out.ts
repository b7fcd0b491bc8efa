/**
 * Held-out task scores of each model on the probe (validation rows the model never trained
 * on), from the logits at the scored (answer) positions:
 *
 * - `exactMatch`: share of probe rows whose every answer token is the argmax — "the model
 *   solved the example", the learn gate's criterion;
 * - `tokenAccuracy`: share of answer tokens right (what training logs as eval_accuracy);
 * - `logLikelihood`: mean per-answer-token log-likelihood (nats): a continuous measure beside
 *   the discontinuous exact match (Schaeffer, Miranda & Koyejo 2023).
 *
 * Stored by the analysis step as kind `held-out`, one row per step over the analysed runs.
 */
import { correctness, crossEntropyPerExample } from '../../core/similarity/outputs';
import type { Matrix } from '../../core/similarity/matrix';

export const HELD_OUT_KIND = 'held-out';

export interface HeldOutScores {
  exactMatch: number[];
  tokenAccuracy: number[];
  logLikelihood: number[];
  /** Probe rows with at least one answer token. */
  rows: number;
  tokens: number;
}

/** Scores of each model's `logits` (rows = `scoredPositions`, flat row·T + t) on `targets`. */
export function heldOutScores(
  logits: readonly Matrix[],
  targets: ArrayLike<number>,
  scoredPositions: ArrayLike<number>,
  contextLength: number,
): HeldOutScores {
  const rowOf = Array.from(scoredPositions, (p) => Math.floor(p / contextLength));
  const rows = new Set(rowOf).size;
  const out: HeldOutScores = {
    exactMatch: [],
    tokenAccuracy: [],
    logLikelihood: [],
    rows,
    tokens: rowOf.length,
  };
  for (const l of logits) {
    const ok = correctness(l, targets);
    const ce = crossEntropyPerExample(l, targets);
    const wrongRows = new Set<number>();
    let right = 0;
    let ll = 0;
    for (let i = 0; i < ok.length; i++) {
      if (ok[i]) right++;
      else wrongRows.add(rowOf[i]);
      ll -= ce[i];
    }
    const n = Math.max(1, ok.length);
    out.exactMatch.push(rows ? (rows - wrongRows.size) / rows : NaN);
    out.tokenAccuracy.push(right / n);
    out.logLikelihood.push(ll / n);
  }
  return out;
}
