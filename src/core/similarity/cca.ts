/**
 * CCA-based similarity: SVCCA (Raghu, Gilmer, Yosinski & Sohl-Dickstein, NeurIPS 2017) and
 * projection-weighted CCA, PWCCA (Morcos, Raghu & Bengio, NeurIPS 2018).
 *
 * Canonical correlations are computed exactly and stably: with Q_X, Q_Y orthonormal bases of
 * the column spaces of the centered representations, the canonical correlations ρ_1 ≥ ρ_2 ≥ …
 * are the singular values of Q_Xᵀ·Q_Y (Björck & Golub 1973), and the canonical variates of X
 * are Q_X·u_i (u_i the left singular vectors).
 *
 * - SVCCA: per side, center, then keep the fewest principal directions that explain
 *   `threshold` (default 0.99) of the variance; CCA between the reduced representations;
 *   value = mean of the min(k_X, k_Y) canonical correlations.
 * - PWCCA: CCA between the full (rank-revealed) centered representations; value = Σ α_i ρ_i
 *   with α_i ∝ Σ_j |⟨h_i, x_j⟩|, h_i the (unit) canonical variates and x_j the centered
 *   neurons of the side with fewer dimensions (ties: X), as in the reference `compute_pwcca`
 *   (which takes that side's variates and weights). The reference adds the means back before
 *   its QR; centered variates are used here since CCA is defined on centered data.
 *
 * Invariances: both are invariant to any invertible linear map of either side (PWCCA's weights
 * are not exactly, but its value is 1 whenever the spans coincide) and to translation; SVCCA's
 * truncation makes it only approximately invariant to maps that mix directions of very
 * different variance. Degeneracy: when D ≥ N every correlation is 1 whatever the data, and
 * well before that the estimates are biased upwards; results carry a warning when
 * N < CCA_MIN_RATIO × D. Cost: O(N·(D1² + D2²)) for the bases plus O(D³) decompositions.
 */
import { crossProduct } from './kernels';
import { multiplyRowMajor, pickColumns, singularValuesOf, symmetricEigen } from './linalg';
import { transpose } from './matrix';
import type { Matrix } from './matrix';
import { checkPaired, type RepresentationInput } from './representation';

/** Below this many examples per feature a CCA result is flagged as unreliable. */
export const CCA_MIN_RATIO = 10;

export interface CcaResult {
  /** SVCCA: mean correlation; PWCCA: projection-weighted mean correlation. */
  value: number;
  /** Canonical correlations, descending, each in [0, 1]. */
  correlations: Float64Array;
  /** Directions kept per side (after the variance threshold / rank detection). */
  keptX: number;
  keptY: number;
  /** Human-readable caveats (e.g. too few examples for the width); empty when none. */
  warnings: string[];
}

/** The warning for N not well above D, or none. */
export function ccaSampleWarning(n: number, d1: number, d2: number): string[] {
  const d = Math.max(d1, d2);
  if (n >= CCA_MIN_RATIO * d) return [];
  const severity =
    n <= d
      ? 'D ≥ N, so every canonical correlation is 1 regardless of the data'
      : `N/D = ${(n / d).toFixed(1)} < ${CCA_MIN_RATIO}, so correlations are biased upwards`;
  return [
    `CCA with N = ${n} examples and D = ${d} features: ${severity}; use more examples (or a CKA measure).`,
  ];
}

/** Canonical correlations only: singular values of Q_Xᵀ·Q_Y. */
function correlations(qx: Matrix, qy: Matrix): Float64Array {
  return singularValuesOf(crossProduct(qx, qy)).map((r) => Math.min(1, r));
}

/**
 * Canonical correlations with the unit canonical variates of one side, h_i = Q·w_i. With
 * M = Q_Xᵀ·Q_Y, the w_i for X are the eigenvectors of M·Mᵀ (for Y of Mᵀ·M), eigenvalues ρ_i².
 * A symmetric eigenproblem is several times cheaper than a full SVD with vectors in ml-matrix.
 */
function canonicalSide(qx: Matrix, qy: Matrix, side: 'x' | 'y'): { rho: Float64Array; w: Matrix } {
  const m = crossProduct(qx, qy);
  const g = side === 'x' ? crossProduct(transpose(m), transpose(m)) : crossProduct(m, m);
  const { values, vectors } = symmetricEigen(g);
  const r = Math.min(qx.cols, qy.cols);
  const rho = Float64Array.from(values.subarray(0, r), (v) =>
    Math.min(1, Math.sqrt(Math.max(0, v))),
  );
  return {
    rho,
    w: pickColumns(
      vectors,
      Array.from({ length: r }, (_, i) => i),
    ),
  };
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** SVCCA: mean canonical correlation after keeping `threshold` of each side's variance. */
export function svcca(x: RepresentationInput, y: RepresentationInput, threshold = 0.99): CcaResult {
  const [a, b] = checkPaired(x, y, 'SVCCA', 3);
  if (!(threshold > 0 && threshold <= 1))
    throw new Error(`SVCCA: threshold (variance kept) must be in (0, 1], got ${threshold}`);
  const bx = a.principal(threshold);
  const by = b.principal(threshold);
  const rho = correlations(bx.u, by.u);
  return {
    value: mean(rho),
    correlations: rho,
    keptX: bx.kept,
    keptY: by.kept,
    warnings: ccaSampleWarning(a.rows, a.cols, b.cols),
  };
}

/** PWCCA: canonical correlations weighted by how much of the narrower side they account for. */
export function pwcca(x: RepresentationInput, y: RepresentationInput): CcaResult {
  const [a, b] = checkPaired(x, y, 'PWCCA', 3);
  const xc = a.centered();
  const yc = b.centered();
  const bx = a.principal(1);
  const by = b.principal(1);
  // The side with fewer (rank-revealed) dimensions supplies variates and neurons.
  const useX = bx.kept <= by.kept;
  const { rho, w: rotation } = canonicalSide(bx.u, by.u, useX ? 'x' : 'y');
  const basis = useX ? bx.u : by.u;
  const acts = useX ? xc : yc;
  // ⟨h_i, x_j⟩ for all i, j: (actsᵀ·Q)·R, a D×r matrix.
  const proj = multiplyRowMajor(crossProduct(acts, basis), rotation);
  const r = rho.length;
  const alpha = new Float64Array(r);
  for (let j = 0; j < proj.rows; j++)
    for (let i = 0; i < r; i++) alpha[i] += Math.abs(proj.data[j * proj.cols + i]);
  let total = 0;
  for (let i = 0; i < r; i++) total += alpha[i];
  let value = 0;
  for (let i = 0; i < r; i++) value += (alpha[i] / total) * rho[i];
  return {
    value,
    correlations: rho,
    keptX: bx.kept,
    keptY: by.kept,
    warnings: ccaSampleWarning(a.rows, a.cols, b.cols),
  };
}
