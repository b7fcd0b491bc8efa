/**
 * The representation measures by their CLI names (`homolab measure <name> A.npy B.npy`), each
 * with the metadata the UI and docs show, and one uniform call shape returning the value with
 * any warnings attached (never only logged).
 */
import { CCA_MIN_RATIO, pwcca, svcca } from './cca';
import { debiasedCka, linearCka, rbfCka } from './cka';
import type { RepresentationInput } from './representation';
import { mutualKnn } from './mutual-knn';
import { procrustesDistance } from './procrustes';

export const MEASURE_NAMES = [
  'linear-cka',
  'debiased-cka',
  'rbf-cka',
  'procrustes',
  'mutual-knn',
  'svcca',
  'pwcca',
] as const;

export type MeasureName = (typeof MEASURE_NAMES)[number];

export interface MeasureOptions {
  /** Neighbours for mutual-knn (default 10). */
  k?: number;
  /** rbf-cka: bandwidth as a fraction of the median distance (default 0.5); svcca: fraction of variance kept (default 0.99). */
  threshold?: number;
}

export interface MeasureResult {
  measure: MeasureName;
  value: number;
  /** Caveats that make the value less trustworthy; empty when none. */
  warnings: string[];
}

export interface MeasureOptionInfo {
  name: keyof MeasureOptions;
  default: number;
  description: string;
}

export interface MeasureInfo {
  name: MeasureName;
  title: string;
  /** 'similarity': higher = more alike (1 = identical); 'distance': lower = more alike (0 = identical). */
  direction: 'similarity' | 'distance';
  range: readonly [number, number];
  formula: string;
  preprocessing: string;
  invariances: string;
  cost: string;
  reference: string;
  options: readonly MeasureOptionInfo[];
  compute(x: RepresentationInput, y: RepresentationInput, options?: MeasureOptions): MeasureResult;
}

function nonFiniteWarning(value: number): string[] {
  return Number.isFinite(value)
    ? []
    : ['The value is undefined for this input (a representation has no usable variance).'];
}

function smallSampleWarning(n: number, d: number, measure: string): string[] {
  return n < d
    ? [
        `${measure} with N = ${n} examples and D = ${d} features: N < D, so the estimate is noisy and (for biased CKA) inflated; prefer debiased-cka or more examples.`,
      ]
    : [];
}

/**
 * The result `computeMeasure(name, x, y)` returns, for a value of a CKA measure or Procrustes
 * computed some other way (e.g. RBF CKA for all pairs at once, cka.ts `rbfCkaPairs`): the same
 * warnings attached. (The other measures add warnings from their own computation.)
 */
export function measureResult(
  name: 'linear-cka' | 'debiased-cka' | 'rbf-cka' | 'procrustes',
  x: RepresentationInput,
  y: RepresentationInput,
  value: number,
): MeasureResult {
  return simple(name, x, y, value);
}

function simple(
  name: MeasureName,
  x: RepresentationInput,
  y: RepresentationInput,
  value: number,
  extra: string[] = [],
): MeasureResult {
  // CCA measures carry their own (stronger) sample-size warning.
  const sample =
    name === 'svcca' || name === 'pwcca'
      ? []
      : smallSampleWarning(x.rows, Math.max(x.cols, y.cols), MEASURES[name].title);
  return { measure: name, value, warnings: [...sample, ...extra, ...nonFiniteWarning(value)] };
}

export const MEASURES: Readonly<Record<MeasureName, MeasureInfo>> = {
  'linear-cka': {
    name: 'linear-cka',
    title: 'Linear CKA',
    direction: 'similarity',
    range: [0, 1],
    formula:
      '‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F) on column-centered X, Y (biased HSIC of linear kernels)',
    preprocessing: 'center each column',
    invariances:
      'orthogonal transforms, isotropic scaling, translation (not general invertible maps)',
    cost: 'O(N·min(N, D1+D2)·(D1+D2)) time, O((D1+D2)²) or O(N²) memory',
    reference:
      'Kornblith, Norouzi, Lee & Hinton 2019, "Similarity of Neural Network Representations Revisited", ICML',
    options: [],
    compute: (x, y) => {
      const v = linearCka(x, y);
      return simple('linear-cka', x, y, v);
    },
  },
  'debiased-cka': {
    name: 'debiased-cka',
    title: 'Debiased linear CKA',
    direction: 'similarity',
    range: [-1, 1],
    formula:
      'HSIC_u(K,L) / √(HSIC_u(K,K)·HSIC_u(L,L)), K = XXᵀ, L = YYᵀ, HSIC_u the unbiased estimator',
    preprocessing: 'center each column (no effect on the value; for rounding)',
    invariances: 'orthogonal transforms, isotropic scaling, translation',
    cost: 'as linear CKA',
    reference:
      'Song et al. 2012 (JMLR, unbiased HSIC); Nguyen, Raghu & Kornblith 2021 (ICLR); Kornblith et al. 2019',
    options: [],
    compute: (x, y) => {
      const v = debiasedCka(x, y);
      return simple('debiased-cka', x, y, v);
    },
  },
  'rbf-cka': {
    name: 'rbf-cka',
    title: 'RBF CKA',
    direction: 'similarity',
    range: [0, 1],
    formula: 'CKA of K_ij = exp(−‖x_i−x_j‖²/(2σ²)), σ² = threshold² · median squared distance',
    preprocessing: 'none beyond the kernel (distances are translation invariant)',
    invariances: 'orthogonal transforms, isotropic scaling, translation',
    cost: 'O(N²·(D1+D2)) time, O(N²) memory',
    reference:
      'Kornblith, Norouzi, Lee & Hinton 2019, ICML (RBF kernel, bandwidth a fraction of the median distance)',
    options: [
      {
        name: 'threshold',
        default: 0.5,
        description: 'bandwidth as a fraction of the median distance',
      },
    ],
    compute: (x, y, o = {}) => {
      const v = rbfCka(x, y, o.threshold ?? 0.5);
      return simple('rbf-cka', x, y, v);
    },
  },
  procrustes: {
    name: 'procrustes',
    title: 'Orthogonal Procrustes distance (squared)',
    direction: 'distance',
    range: [0, 2],
    formula: '2 − 2‖XᵀY‖_* after centering and unit Frobenius norm (= min_Q ‖X − YQ‖²_F)',
    preprocessing: 'center each column, scale to unit Frobenius norm',
    invariances: 'orthogonal transforms, isotropic scaling, translation; √ of it is a metric',
    cost: 'O(N·D1·D2) + O(D1·D2·min(D1, D2)) SVD',
    reference:
      'Ding, Denain & Steinhardt 2021, "Grounding Representation Similarity with Statistical Testing", NeurIPS',
    options: [],
    compute: (x, y) => {
      const v = procrustesDistance(x, y);
      return simple('procrustes', x, y, v);
    },
  },
  'mutual-knn': {
    name: 'mutual-knn',
    title: 'Mutual k-NN alignment',
    direction: 'similarity',
    range: [0, 1],
    formula:
      '(1/N) Σ_i |N_X(i) ∩ N_Y(i)| / k, N_·(i) = k nearest other examples by cosine similarity',
    preprocessing: 'L2-normalise each row',
    invariances:
      'orthogonal transforms, per-example scaling (not translation); chance level k/(N−1)',
    cost: 'O(N²·(D1+D2)) time, O(N²) memory',
    reference: 'Huh, Cheung, Wang & Isola 2024, "The Platonic Representation Hypothesis", ICML',
    options: [{ name: 'k', default: 10, description: 'neighbours per example' }],
    compute: (x, y, o = {}) => {
      const k = o.k ?? 10;
      const v = mutualKnn(x, y, k);
      const warn =
        x.rows < 10 * k
          ? [
              `mutual k-NN with N = ${x.rows} and k = ${k}: chance level k/(N−1) = ${(k / (x.rows - 1)).toFixed(3)} is high.`,
            ]
          : [];
      return simple('mutual-knn', x, y, v, warn);
    },
  },
  svcca: {
    name: 'svcca',
    title: 'SVCCA',
    direction: 'similarity',
    range: [0, 1],
    formula:
      'mean canonical correlation between the top principal subspaces keeping `threshold` of the variance',
    preprocessing:
      'center each column; SVD per side, keep leading directions up to the variance threshold',
    invariances: 'invertible linear maps (approximately, through the truncation), translation',
    cost: 'O(N·(D1² + D2²)) + O(D³) decompositions',
    reference: 'Raghu, Gilmer, Yosinski & Sohl-Dickstein 2017, "SVCCA", NeurIPS',
    options: [
      { name: 'threshold', default: 0.99, description: 'fraction of variance kept per side' },
    ],
    compute: (x, y, o = {}) => {
      const r = svcca(x, y, o.threshold ?? 0.99);
      return simple('svcca', x, y, r.value, r.warnings);
    },
  },
  pwcca: {
    name: 'pwcca',
    title: 'PWCCA',
    direction: 'similarity',
    range: [0, 1],
    formula:
      'Σ α_i ρ_i, ρ canonical correlations, α_i ∝ Σ_j |⟨h_i, x_j⟩| (projection of the narrower side onto its variates)',
    preprocessing: 'center each column; rank-revealing basis per side',
    invariances: 'invertible linear maps (value 1 when spans coincide), translation',
    cost: 'O(N·(D1² + D2²)) + O(D³) decompositions',
    reference:
      'Morcos, Raghu & Bengio 2018, "Insights on representational similarity in neural networks with canonical correlation", NeurIPS',
    options: [],
    compute: (x, y) => {
      const r = pwcca(x, y);
      return simple('pwcca', x, y, r.value, r.warnings);
    },
  },
};

/** True for the CLI names in MEASURE_NAMES. */
export function isMeasureName(s: string): s is MeasureName {
  return (MEASURE_NAMES as readonly string[]).includes(s);
}

/** Computes a representation measure by CLI name; throws for unknown names or bad options. */
export function computeMeasure(
  name: string,
  x: RepresentationInput,
  y: RepresentationInput,
  options: MeasureOptions = {},
): MeasureResult {
  if (!isMeasureName(name))
    throw new Error(`unknown measure '${name}'; expected one of ${MEASURE_NAMES.join(', ')}`);
  return MEASURES[name].compute(x, y, options);
}

export { CCA_MIN_RATIO };
