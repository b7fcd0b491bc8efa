/**
 * Output-level agreement between models on the same probe set (rows = examples, columns =
 * classes / vocabulary entries). These compare what models *say*, not how they represent it.
 *
 * - top-1 agreement: fraction of examples where the argmax classes coincide. Invariant to any
 *   monotone per-row transform of the scores (softmax, temperature). Cost O(N·V).
 * - Jensen–Shannon divergence, base 2: JSD(p, q) = ½KL(p‖m) + ½KL(q‖m), m = (p+q)/2, in [0, 1];
 *   0 iff p = q, 1 iff disjoint supports. From logits via a max-shifted log-softmax (no overflow,
 *   exact zeros kept exact); the mean over examples is returned. Cost O(N·V).
 * - loss difference: mean per-example loss of A minus that of B, and the mean absolute
 *   per-example difference (two models can have equal mean loss and differ everywhere).
 */
import type { Matrix } from './matrix';

export type ScoreKind = 'logits' | 'probabilities';

function checkSameShape(a: Matrix, b: Matrix, what: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new Error(`${what}: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} differ`);
  if (a.rows < 1 || a.cols < 1) throw new Error(`${what}: empty input`);
}

/** Index of the maximum of each row (first one on ties). */
export function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    let best = 0;
    for (let j = 1; j < m.cols; j++) if (m.data[o + j] > m.data[o + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Fraction of examples whose top-1 predictions agree, in [0, 1]. */
export function top1Agreement(a: Matrix, b: Matrix): number {
  checkSameShape(a, b, 'top-1 agreement');
  const pa = argmaxRows(a);
  const pb = argmaxRows(b);
  let same = 0;
  for (let i = 0; i < pa.length; i++) if (pa[i] === pb[i]) same++;
  return same / pa.length;
}

/** Row-wise probabilities: softmax of logits (max-shifted), or validated/normalised probabilities. */
export function toProbabilities(m: Matrix, kind: ScoreKind): Float64Array {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    if (kind === 'logits') {
      let max = -Infinity;
      for (let j = 0; j < m.cols; j++) max = Math.max(max, m.data[o + j]);
      if (!Number.isFinite(max)) throw new Error(`JSD: row ${i} has no finite logit`);
      let s = 0;
      for (let j = 0; j < m.cols; j++) {
        const e = Math.exp(m.data[o + j] - max);
        out[o + j] = e;
        s += e;
      }
      for (let j = 0; j < m.cols; j++) out[o + j] /= s;
    } else {
      let s = 0;
      for (let j = 0; j < m.cols; j++) {
        const p = m.data[o + j];
        if (!(p >= 0)) throw new Error(`JSD: row ${i} has a negative or NaN probability`);
        s += p;
      }
      if (!(Math.abs(s - 1) < 1e-3))
        throw new Error(`JSD: row ${i} sums to ${s}, not 1 (pass kind 'logits' for scores)`);
      for (let j = 0; j < m.cols; j++) out[o + j] = m.data[o + j] / s;
    }
  }
  return out;
}

/** JSD (base 2) of two probability vectors stored at offset o, length v. */
function jsdRow(p: Float64Array, q: Float64Array, o: number, v: number): number {
  let s = 0;
  for (let j = o; j < o + v; j++) {
    const a = p[j];
    const b = q[j];
    const m = 0.5 * (a + b);
    // 0·log 0 = 0; written as ratios to m (not H(m) − ½H(p) − ½H(q)) to avoid cancellation.
    if (a > 0) s += a * Math.log2(a / m);
    if (b > 0) s += b * Math.log2(b / m);
  }
  return Math.min(1, Math.max(0, 0.5 * s));
}

/** Per-example Jensen–Shannon divergences (base 2), each in [0, 1]. */
export function jensenShannonPerExample(
  a: Matrix,
  b: Matrix,
  kind: ScoreKind = 'logits',
): Float64Array {
  checkSameShape(a, b, 'JSD');
  const p = toProbabilities(a, kind);
  const q = toProbabilities(b, kind);
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) out[i] = jsdRow(p, q, i * a.cols, a.cols);
  return out;
}

/** Mean Jensen–Shannon divergence (base 2) over examples, in [0, 1]. */
export function meanJensenShannon(a: Matrix, b: Matrix, kind: ScoreKind = 'logits'): number {
  const d = jensenShannonPerExample(a, b, kind);
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  return s / d.length;
}

/** Per-example cross-entropy (natural log) of integer targets under logits [N×V]. */
export function crossEntropyPerExample(logits: Matrix, targets: ArrayLike<number>): Float64Array {
  if (targets.length !== logits.rows)
    throw new Error(`cross-entropy: ${targets.length} targets for ${logits.rows} rows`);
  const out = new Float64Array(logits.rows);
  for (let i = 0; i < logits.rows; i++) {
    const o = i * logits.cols;
    const t = targets[i];
    if (!(Number.isInteger(t) && t >= 0 && t < logits.cols))
      throw new Error(`cross-entropy: target ${t} at row ${i} outside [0, ${logits.cols})`);
    let max = -Infinity;
    for (let j = 0; j < logits.cols; j++) max = Math.max(max, logits.data[o + j]);
    let s = 0;
    for (let j = 0; j < logits.cols; j++) s += Math.exp(logits.data[o + j] - max);
    out[i] = max + Math.log(s) - logits.data[o + t];
  }
  return out;
}

/** Per-example correctness (top-1 == target) as 0/1. */
export function correctness(logits: Matrix, targets: ArrayLike<number>): Uint8Array {
  if (targets.length !== logits.rows)
    throw new Error(`correctness: ${targets.length} targets for ${logits.rows} rows`);
  const pred = argmaxRows(logits);
  return Uint8Array.from(pred, (p, i) => (p === targets[i] ? 1 : 0));
}

export interface LossDifference {
  /** mean(lossA) − mean(lossB). */
  meanDifference: number;
  /** mean |lossA_i − lossB_i|. */
  meanAbsoluteDifference: number;
}

/** Loss difference between two models from their per-example losses on the same examples. */
export function lossDifference(lossA: ArrayLike<number>, lossB: ArrayLike<number>): LossDifference {
  if (lossA.length !== lossB.length || lossA.length === 0)
    throw new Error(`loss difference: ${lossA.length} vs ${lossB.length} per-example losses`);
  let d = 0;
  let ad = 0;
  for (let i = 0; i < lossA.length; i++) {
    d += lossA[i] - lossB[i];
    ad += Math.abs(lossA[i] - lossB[i]);
  }
  return { meanDifference: d / lossA.length, meanAbsoluteDifference: ad / lossA.length };
}
