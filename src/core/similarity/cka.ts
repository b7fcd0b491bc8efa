/**
 * Centered Kernel Alignment (Kornblith, Norouzi, Lee & Hinton, "Similarity of Neural Network
 * Representations Revisited", ICML 2019).
 *
 *   CKA(K, L) = HSIC(K, L) / sqrt(HSIC(K, K) · HSIC(L, L)),  K, L = N×N Gram matrices of X, Y.
 *
 * - Linear CKA uses K = XXᵀ and the biased HSIC ⟨HKH, HLH⟩ (H = I − 11ᵀ/N). With centered
 *   columns this equals the feature-space form ‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F), which costs
 *   O(N·(D1+D2)²) instead of O(N²·(D1+D2)); the cheaper of the two is chosen automatically.
 * - Debiased linear CKA replaces HSIC by its unbiased estimator (Song et al. 2012, JMLR), as
 *   recommended for small N by Nguyen, Raghu & Kornblith 2021 and in Kornblith's reference code
 *   (`center_gram(unbiased=True)`, i.e. Székely–Rizzo U-centering). Written out:
 *     n(n−3)·HSIC_u = tr(K̃L̃) + (1ᵀK̃1)(1ᵀL̃1)/((n−1)(n−2)) − 2/(n−2) · 1ᵀK̃L̃1,
 *   K̃ = K with its diagonal zeroed. For column-centered X, 1ᵀK̃1 = −Σ‖x_i‖² and K̃1 = −(‖x_i‖²)_i,
 *   so every term follows from the same three Frobenius products plus the row norms — the
 *   feature-space route works for it too. U-centering is invariant to translating X, so
 *   centering first changes nothing but rounding.
 * - RBF CKA uses K_ij = exp(−‖x_i − x_j‖² / (2σ²)) with σ² = threshold² × the median squared
 *   pairwise distance (σ ≈ threshold × median distance; the median is taken over all N²
 *   entries of the squared-distance matrix, diagonal zeros included, exactly as the reference
 *   `gram_rbf` does); threshold defaults to 0.5 (the reference notebook's choice;
 *   the paper reports 0.2, 0.4 and 0.8 and finds results insensitive to it). Always O(N²·D).
 *
 * Invariances: linear CKA (both forms) is invariant to orthogonal transforms, isotropic scaling
 * and translation of either side, not to arbitrary invertible linear maps. RBF CKA is invariant
 * to orthogonal transforms and translation, and to isotropic scaling because σ scales with the
 * median distance.
 */
import type { Matrix } from './matrix';
import { sumSquares } from './matrix';
import { centeredInner, centeredKernel, type RbfValues } from './gram-derived';
import { packedInner, packedInnerMatrix } from './packed';
import { Representation, checkPaired, type RepresentationInput } from './representation';

/** How the O(N·D²) or O(N²·D) products are formed; 'auto' picks the cheaper. */
export type CkaStrategy = 'auto' | 'features' | 'gram';

/** ⟨K, L⟩ of the centered linear Grams: ‖XᵀY‖²_F (feature space) or Σ K∘L (Gram space). */
function crossTerm(a: Representation, b: Representation, strategy: CkaStrategy): number {
  const n = a.rows;
  const featureCost = n * a.cols * b.cols;
  const gramCost = ((n * n) / 2) * (a.cols + b.cols) + n * n;
  const useGram = strategy === 'gram' || (strategy === 'auto' && gramCost < featureCost);
  if (!useGram) return a.crossSumSquares(b);
  const k = a.linearGram();
  const l = b.linearGram();
  let kl = 0;
  for (let i = 0; i < k.length; i++) kl += k[i] * l[i];
  return kl;
}

/**
 * Linear CKA with the biased HSIC estimator. Symmetric, in [0, 1], 1 for X vs any
 * c·X·Q + b (Q orthogonal). Cost O(N·min(N, D1+D2)·(D1+D2)). NaN for a constant input.
 */
export function linearCka(
  x: RepresentationInput,
  y: RepresentationInput,
  strategy: CkaStrategy = 'auto',
): number {
  const [a, b] = checkPaired(x, y, 'linear CKA');
  const kl = crossTerm(a, b, strategy);
  const den = Math.sqrt(a.selfProduct() * b.selfProduct());
  if (!(den > 0)) return NaN; // a constant representation has no similarity to speak of
  return Math.min(1, kl / den);
}

/** n(n−3)·HSIC_u from ⟨K,L⟩ and the row norms of column-centered X and Y (see file comment). */
function unbiasedHsicScaled(kl: number, kd: Float64Array, ld: Float64Array): number {
  const n = kd.length;
  let sk = 0;
  let sl = 0;
  let kdld = 0;
  for (let i = 0; i < n; i++) {
    sk += kd[i];
    sl += ld[i];
    kdld += kd[i] * ld[i];
  }
  return kl + (sk * sl) / ((n - 1) * (n - 2)) - (n / (n - 2)) * kdld;
}

/**
 * Linear CKA with the unbiased HSIC estimator (Song et al. 2012), "debiased CKA". Less biased
 * upwards than linearCka when N is small relative to D; can be slightly negative. Needs N ≥ 4.
 * Returns NaN when an unbiased self-HSIC is not positive (degenerate input).
 */
export function debiasedCka(
  x: RepresentationInput,
  y: RepresentationInput,
  strategy: CkaStrategy = 'auto',
): number {
  const [a, b] = checkPaired(x, y, 'debiased CKA', 4);
  const kd = a.rowSquaredNorms();
  const ld = b.rowSquaredNorms();
  const hxy = unbiasedHsicScaled(crossTerm(a, b, strategy), kd, ld);
  const hxx = unbiasedHsicScaled(a.selfProduct(), kd, kd);
  const hyy = unbiasedHsicScaled(b.selfProduct(), ld, ld);
  if (!(hxx > 0 && hyy > 0)) return NaN;
  return hxy / Math.sqrt(hxx * hyy);
}

/**
 * The centered RBF Gram matrix H·K·H of X (N×N), σ² = threshold² × median squared distance.
 * Exported for tests and for reuse when one representation is compared with many.
 */
export function centeredRbfGram(x: Matrix, threshold = 0.5): Float64Array {
  const r = new Representation(x);
  const k = centeredKernel(r.rbfKernel(threshold));
  r.release();
  return k;
}

/** CKA from two already centered Gram matrices (biased HSIC). */
export function ckaFromCenteredGrams(kc: Float64Array, lc: Float64Array): number {
  if (kc.length !== lc.length) throw new Error('CKA: Gram matrices differ in size');
  let kl = 0;
  for (let i = 0; i < kc.length; i++) kl += kc[i] * lc[i];
  const den = Math.sqrt(sumSquares(kc) * sumSquares(lc));
  return den > 0 ? Math.min(1, kl / den) : NaN;
}

/**
 * RBF-kernel CKA (biased HSIC), bandwidth set per representation from its own median
 * distance. Cost O(N²·(D1+D2)) time, O(N²) memory per side.
 */
export function rbfCka(x: RepresentationInput, y: RepresentationInput, threshold = 0.5): number {
  const [a, b] = checkPaired(x, y, 'RBF CKA', 3);
  const ka = a.rbfKernel(threshold);
  const kb = b.rbfKernel(threshold);
  const kl = centeredInner(packedInner(ka.packed, kb.packed, a.rows), ka, kb);
  const den = Math.sqrt(a.rbfSelf(threshold) * b.rbfSelf(threshold));
  return den > 0 ? Math.min(1, kl / den) : NaN;
}

/**
 * RBF CKA for every pair of `reps` at once (same examples): out[i][j] for i ≠ j, the same value
 * as `rbfCka(reps[i], reps[j], threshold)` up to summation order, or the Error that call would
 * throw. Faster than pair by pair: each centered kernel is read once for all pairs (packed.ts).
 */
export function rbfCkaPairs(
  reps: readonly Representation[],
  threshold = 0.5,
): (number | Error)[][] {
  const m = reps.length;
  const kernels: (RbfValues | Error)[] = reps.map((r) => {
    try {
      if (r.rows !== reps[0].rows) checkPaired(reps[0], r, 'RBF CKA', 3); // throws the pairwise message
      if (r.rows < 3) checkPaired(r, r, 'RBF CKA', 3);
      return r.rbfKernel(threshold);
    } catch (e) {
      return e as Error;
    }
  });
  const ok = kernels.flatMap((k, i) => (k instanceof Error ? [] : [i]));
  const inner = packedInnerMatrix(
    ok.map((i) => (kernels[i] as RbfValues).packed),
    reps[0]?.rows ?? 0,
  );
  const out: (number | Error)[][] = Array.from({ length: m }, () => new Array(m).fill(NaN));
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      if (i === j) continue;
      const bad = kernels[i] instanceof Error ? kernels[i] : kernels[j];
      if (bad instanceof Error) {
        out[i][j] = bad;
        continue;
      }
      const ki = kernels[i] as RbfValues;
      const kj = kernels[j] as RbfValues;
      const kl = centeredInner(inner[ok.indexOf(i)][ok.indexOf(j)], ki, kj);
      const den = Math.sqrt(ki.self * kj.self);
      out[i][j] = den > 0 ? Math.min(1, kl / den) : NaN;
    }
  return out;
}
