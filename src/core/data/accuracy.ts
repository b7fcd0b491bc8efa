/**
 * Accuracy from predicted ids, using the batch's weights as the answer mask: token accuracy
 * over scored positions, and exact match over rows (a row counts when it has scored positions
 * and all of them are right — "the whole answer is correct" for synthetic tasks).
 */
import type { Batch } from './types';

export interface AnswerScore {
  correctTokens: number;
  scoredTokens: number;
  correctRows: number;
  scoredRows: number;
}

/** `predicted` is [B*T] (e.g. argmax of the logits), row-major like `batch.targets`. */
export function scoreAnswers(batch: Batch, predicted: ArrayLike<number>): AnswerScore {
  const { batchSize: B, contextLength: T } = batch;
  if (predicted.length !== B * T)
    throw new Error(`scoreAnswers: expected ${B * T} predictions, got ${predicted.length}`);
  const s: AnswerScore = { correctTokens: 0, scoredTokens: 0, correctRows: 0, scoredRows: 0 };
  for (let b = 0; b < B; b++) {
    let scored = 0;
    let correct = 0;
    for (let t = b * T; t < (b + 1) * T; t++) {
      if (batch.weights[t] === 0) continue;
      scored++;
      if (predicted[t] === batch.targets[t]) correct++;
    }
    s.scoredTokens += scored;
    s.correctTokens += correct;
    if (scored > 0) {
      s.scoredRows++;
      if (correct === scored) s.correctRows++;
    }
  }
  return s;
}

/** Sums scores across batches. */
export function addScores(a: AnswerScore, b: AnswerScore): AnswerScore {
  return {
    correctTokens: a.correctTokens + b.correctTokens,
    scoredTokens: a.scoredTokens + b.scoredTokens,
    correctRows: a.correctRows + b.correctRows,
    scoredRows: a.scoredRows + b.scoredRows,
  };
}
