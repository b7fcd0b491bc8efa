/**
 * Orthogonal Procrustes distance (Ding, Denain & Steinhardt, "Grounding Representation
 * Similarity with Statistical Testing", NeurIPS 2021; Williams et al. 2021 for the metric view).
 *
 * Preprocessing: center every column, then scale each representation to unit Frobenius norm.
 * Then
 *   d²(X, Y) = min_Q ‖X − Y·Q‖²_F = ‖X‖²_F + ‖Y‖²_F − 2‖XᵀY‖_* = 2 − 2‖XᵀY‖_*,
 * ‖·‖_* the nuclear norm (sum of singular values); Q ranges over orthogonal maps (for D1 ≠ D2,
 * the narrower side is implicitly zero-padded). This returns the squared form d² ∈ [0, 2]
 * (0 = identical up to rotation, translation and scale). Its square root is a metric and
 * satisfies the triangle inequality.
 *
 * Invariances: orthogonal transforms, isotropic scaling, translation. Not invariant to general
 * invertible linear maps. Cost: O(N·D1·D2) for XᵀY plus an O(D1·D2·min(D1, D2)) SVD.
 */
import { singularValuesOf } from './linalg';
import { checkPaired, type RepresentationInput } from './representation';

/** Squared orthogonal Procrustes distance, in [0, 2]. Symmetric. */
export function procrustesDistance(x: RepresentationInput, y: RepresentationInput): number {
  const [a, b] = checkPaired(x, y, 'Procrustes');
  // XᵀY of the unit-norm centered data: the centered product (shared with CKA) rescaled.
  const scale = a.centeredNorm() * b.centeredNorm();
  if (!(a.centeredNorm() > 0 && b.centeredNorm() > 0))
    throw new Error('Procrustes: the representation is constant (zero variance)');
  const m = a.crossCentered(b);
  const s = singularValuesOf({ ...m, data: m.data.map((v) => v / scale) });
  let nuclear = 0;
  for (let i = 0; i < s.length; i++) nuclear += s[i];
  return Math.min(2, Math.max(0, 2 - 2 * nuclear));
}
