/**
 * Mutual k-nearest-neighbour alignment (Huh, Cheung, Wang & Isola, "The Platonic
 * Representation Hypothesis", ICML 2024; their `mutual_knn` metric).
 *
 * Preprocessing: every row is L2-normalised, so neighbours are by cosine similarity (the
 * reference normalises features before the metric). For each example i, N_X(i) is the set of
 * its k most similar other examples under X (itself excluded), N_Y(i) likewise under Y, and
 *   m_kNN(X, Y) = (1/N) Σ_i |N_X(i) ∩ N_Y(i)| / k  ∈ [0, 1].
 * Identical inputs give 1; independent ones give k/(N−1) in expectation. Ties in similarity
 * are broken by the lower example index, so the result is deterministic.
 *
 * Invariances: orthogonal transforms and per-example (row) scaling; not translation (cosine
 * similarity depends on the origin) — in line with the reference. Cost: O(N²·(D1+D2)) for the
 * two similarity matrices plus O(N²·log k) for the neighbour lists, O(N²) memory per side
 * (processed one side at a time).
 */
import type { Matrix } from './matrix';
import { Representation, checkPaired, type RepresentationInput } from './representation';

/** The k nearest neighbours (by cosine similarity, self excluded) of every row: N×k indices. */
export function nearestNeighbours(m: Matrix, k: number): Int32Array {
  return new Representation(m).neighbours(k);
}

/** Mutual k-NN alignment in [0, 1]; k defaults to 10 and must be < N. Symmetric. */
export function mutualKnn(x: RepresentationInput, y: RepresentationInput, k = 10): number {
  const [ra, rb] = checkPaired(x, y, 'mutual k-NN');
  const n = ra.rows;
  if (!Number.isInteger(k) || k < 1 || k >= n)
    throw new Error(`mutual k-NN: k must be an integer in [1, N−1] = [1, ${n - 1}], got ${k}`);
  const a = ra.neighbours(k);
  const b = rb.neighbours(k);
  const mark = new Int32Array(n).fill(-1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) mark[a[i * k + t]] = i;
    let common = 0;
    for (let t = 0; t < k; t++) if (mark[b[i * k + t]] === i) common++;
    total += common / k;
  }
  return total / n;
}
