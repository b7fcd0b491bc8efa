/**
 * The one catalogue of the lab's measures: every measure the analysis step can compute, with
 * its family, label, direction, range, formula, preprocessing, invariances and reference.
 *
 * Everything else derives from here: the experiment spec's `analysis.measures` enum, the API
 * contract (and so the renderer), the similarity registry's compute table, `getOptions`' measure
 * list, the comparison's summary measures and the HTML reports' labels. Browser-safe on purpose:
 * plain data, no imports.
 */

/** What a measure compares. */
export type MeasureFamily = 'representation' | 'weights' | 'output';

/**
 * How its values are stored: `pair` model × model (and layer × layer for representations);
 * `group` one value over all k models; `run` one series per run; `samples` generated text.
 */
export type MeasureScope = 'pair' | 'group' | 'run' | 'samples';

export interface MeasureOptionInfo {
  name: 'k' | 'threshold';
  default: number;
  description: string;
}

export interface MeasureEntry {
  family: MeasureFamily;
  scope: MeasureScope;
  /** Full name, as in a report heading. */
  label: string;
  /** Short name for an axis or a table column (with its unit). */
  short: string;
  /** 'similarity': higher = more alike; 'distance': lower = more alike; 'none': not an ordering. */
  direction: 'similarity' | 'distance' | 'none';
  /** Range of the value when bounded. */
  range: readonly [number, number] | null;
  /** One line for tooltips and `getOptions`. */
  summary: string;
  formula: string;
  preprocessing: string;
  invariances: string;
  reference: string;
  /** Time and memory, where it matters. */
  cost?: string;
  options?: readonly MeasureOptionInfo[];
}

const KORNBLITH =
  'Kornblith, Norouzi, Lee & Hinton 2019, "Similarity of Neural Network Representations Revisited", ICML';

export const MEASURE_CATALOGUE = {
  // ---- representations, on a fixed probe set, per layer ------------------------------------
  'linear-cka': {
    family: 'representation',
    scope: 'pair',
    label: 'Linear CKA',
    short: 'linear CKA',
    direction: 'similarity',
    range: [0, 1],
    summary: 'Centered kernel alignment of two layers’ activations with linear kernels.',
    formula:
      '‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F) on column-centered X, Y (biased HSIC of linear kernels)',
    preprocessing: 'center each column',
    invariances:
      'orthogonal transforms, isotropic scaling, translation (not general invertible maps)',
    cost: 'O(N·min(N, D1+D2)·(D1+D2)) time, O((D1+D2)²) or O(N²) memory',
    reference: KORNBLITH,
  },
  'debiased-cka': {
    family: 'representation',
    scope: 'pair',
    label: 'Debiased linear CKA',
    short: 'debiased CKA',
    direction: 'similarity',
    range: [-1, 1],
    summary: 'Linear CKA with the unbiased HSIC estimator: no inflation when N is small.',
    formula:
      'HSIC_u(K,L) / √(HSIC_u(K,K)·HSIC_u(L,L)), K = XXᵀ, L = YYᵀ, HSIC_u the unbiased estimator',
    preprocessing: 'center each column (no effect on the value; for rounding)',
    invariances: 'orthogonal transforms, isotropic scaling, translation',
    cost: 'as linear CKA',
    reference:
      'Song et al. 2012 (JMLR, unbiased HSIC); Nguyen, Raghu & Kornblith 2021 (ICLR); Kornblith et al. 2019',
  },
  'rbf-cka': {
    family: 'representation',
    scope: 'pair',
    label: 'RBF CKA',
    short: 'RBF CKA',
    direction: 'similarity',
    range: [0, 1],
    summary: 'CKA with Gaussian kernels, bandwidth a fraction of the median distance.',
    formula: 'CKA of K_ij = exp(−‖x_i−x_j‖²/(2σ²)), σ² = threshold² · median squared distance',
    preprocessing: 'none beyond the kernel (distances are translation invariant)',
    invariances: 'orthogonal transforms, isotropic scaling, translation',
    cost: 'O(N²·(D1+D2)) time, O(N²) memory',
    reference: `${KORNBLITH} (RBF kernel, bandwidth a fraction of the median distance)`,
    options: [
      {
        name: 'threshold',
        default: 0.5,
        description: 'bandwidth as a fraction of the median distance',
      },
    ],
  },
  procrustes: {
    family: 'representation',
    scope: 'pair',
    label: 'Orthogonal Procrustes distance (squared)',
    short: 'Procrustes distance',
    direction: 'distance',
    range: [0, 2],
    summary: 'Distance left after the best rotation of one representation onto the other.',
    formula: '2 − 2‖XᵀY‖_* after centering and unit Frobenius norm (= min_Q ‖X − YQ‖²_F)',
    preprocessing: 'center each column, scale to unit Frobenius norm',
    invariances: 'orthogonal transforms, isotropic scaling, translation; √ of it is a metric',
    cost: 'O(N·D1·D2) + O(D1·D2·min(D1, D2)) SVD',
    reference:
      'Ding, Denain & Steinhardt 2021, "Grounding Representation Similarity with Statistical Testing", NeurIPS',
  },
  'mutual-knn': {
    family: 'representation',
    scope: 'pair',
    label: 'Mutual k-NN alignment',
    short: 'mutual k-NN',
    direction: 'similarity',
    range: [0, 1],
    summary: 'Fraction of each example’s k nearest neighbours that both models share.',
    formula:
      '(1/N) Σ_i |N_X(i) ∩ N_Y(i)| / k, N_·(i) = k nearest other examples by cosine similarity',
    preprocessing: 'L2-normalise each row',
    invariances:
      'orthogonal transforms, per-example scaling (not translation); chance level k/(N−1)',
    cost: 'O(N²·(D1+D2)) time, O(N²) memory',
    reference: 'Huh, Cheung, Wang & Isola 2024, "The Platonic Representation Hypothesis", ICML',
    options: [{ name: 'k', default: 10, description: 'neighbours per example' }],
  },
  svcca: {
    family: 'representation',
    scope: 'pair',
    label: 'SVCCA',
    short: 'SVCCA',
    direction: 'similarity',
    range: [0, 1],
    summary: 'Mean canonical correlation of the two layers’ leading principal subspaces.',
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
  },
  pwcca: {
    family: 'representation',
    scope: 'pair',
    label: 'PWCCA',
    short: 'PWCCA',
    direction: 'similarity',
    range: [0, 1],
    summary: 'Canonical correlations weighted by how much of the representation they explain.',
    formula:
      'Σ α_i ρ_i, ρ canonical correlations, α_i ∝ Σ_j |⟨h_i, x_j⟩| (projection of the narrower side onto its variates)',
    preprocessing: 'center each column; rank-revealing basis per side',
    invariances: 'invertible linear maps (value 1 when spans coincide), translation',
    cost: 'O(N·(D1² + D2²)) + O(D³) decompositions',
    reference:
      'Morcos, Raghu & Bengio 2018, "Insights on representational similarity in neural networks with canonical correlation", NeurIPS',
  },

  // ---- weights -----------------------------------------------------------------------------
  'weight-trajectory': {
    family: 'weights',
    scope: 'run',
    label: 'Weight trajectory',
    short: 'distance from init',
    direction: 'none',
    range: null,
    summary:
      'Within one run: distance and cosine of the weights to initialisation and to the final weights.',
    formula: '‖θ_t − θ_ref‖₂ / ‖θ_ref‖₂ and cos(θ_t, θ_ref), all parameters concatenated',
    preprocessing: 'none (within one run, so no symmetry needs aligning)',
    invariances: 'none needed: the same network is compared with itself',
    reference:
      'Li et al. 2018 "Visualizing the Loss Landscape of Neural Nets" (weight-space trajectories)',
  },
  'aligned-weights': {
    family: 'weights',
    scope: 'pair',
    label: 'Aligned weight distance',
    short: 'aligned weight distance',
    direction: 'distance',
    range: null,
    summary:
      'Relative distance after head-aware permutation matching of two same-shape models (raw distance is only a naive baseline); also the aligned cosine and the loss barrier.',
    formula:
      '‖θ_A − π(θ_B)‖ / √(‖θ_A‖·‖θ_B‖), π the neuron/head permutation found by weight matching',
    preprocessing: 'permutation matching of MLP neurons and attention heads',
    invariances: 'neuron and head permutations (by construction)',
    reference: 'Ainsworth, Hayase & Srinivasa 2023, "Git Re-Basin", ICLR',
  },
  spectra: {
    family: 'weights',
    scope: 'pair',
    label: 'Singular-value spectra',
    short: 'spectrum distance',
    direction: 'distance',
    range: null,
    summary:
      'Permutation-invariant summaries: singular values per matrix and per-head W_Q·W_Kᵀ, W_V·W_O.',
    formula:
      'mean over matrices (and heads’ W_Q·W_Kᵀ, W_V·W_O) of ‖σ_A − σ_B‖ / √(‖σ_A‖·‖σ_B‖), σ descending singular values',
    preprocessing: 'none',
    invariances: 'orthogonal maps on either side, so every neuron and head permutation',
    reference: 'Martin & Mahoney 2021 (heavy-tailed spectra of trained weights)',
  },

  // ---- outputs, at the probe set's scored positions ----------------------------------------
  'top1-agreement': {
    family: 'output',
    scope: 'pair',
    label: 'Top-1 agreement',
    short: 'top-1 agreement',
    direction: 'similarity',
    range: [0, 1],
    summary: 'Fraction of probe positions where two models predict the same next token.',
    formula: '(1/N) Σ_i [argmax p_A(·|x_i) = argmax p_B(·|x_i)]',
    preprocessing: 'none',
    invariances: 'any change that keeps the argmax',
    reference: 'Bommasani et al. 2022, "Picking on the Same Person", NeurIPS',
  },
  jsd: {
    family: 'output',
    scope: 'pair',
    label: 'Jensen–Shannon divergence (base 2)',
    short: 'JSD (bits)',
    direction: 'distance',
    range: [0, 1],
    summary:
      'Mean JSD between the two models’ next-token distributions; 0 = identical, 1 = disjoint.',
    formula: '(1/N) Σ_i JSD₂(p_A(·|x_i), p_B(·|x_i))',
    preprocessing: 'softmax of the logits',
    invariances: 'none beyond the distributions',
    reference:
      'Lin 1991, "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory',
  },
  'error-consistency': {
    family: 'output',
    scope: 'pair',
    label: 'Error consistency κ',
    short: 'error consistency κ',
    direction: 'similarity',
    range: [-1, 1],
    summary:
      'Cohen’s κ on which probe items each model gets right, beyond chance (Geirhos et al. 2020).',
    formula: 'κ = (c_obs − c_exp) / (1 − c_exp), c_exp = p_A·p_B + (1−p_A)(1−p_B)',
    preprocessing: 'correct = argmax equals the target',
    invariances: 'accuracy (by construction, through c_exp)',
    reference: 'Geirhos, Meding & Wichmann 2020, "Beyond accuracy", NeurIPS',
  },
  'outcome-homogenization': {
    family: 'output',
    scope: 'group',
    label: 'Outcome homogenization H',
    short: 'outcome homogenization H',
    direction: 'similarity',
    range: null,
    summary:
      'How much more often all k models fail together than if they failed independently (Bommasani et al. 2022).',
    formula: 'H = P(all k fail) / Π_j ε_j, ε_j model j’s error rate',
    preprocessing: 'correct = argmax equals the target',
    invariances: 'none; rises mechanically with accuracy, so read it at matched error rates',
    reference: 'Bommasani et al. 2022, "Picking on the Same Person", NeurIPS',
  },
  'loss-difference': {
    family: 'output',
    scope: 'pair',
    label: 'Loss difference',
    short: 'probe loss difference',
    direction: 'none',
    range: null,
    summary: 'Difference of mean probe losses between two models.',
    formula: 'L_A − L_B (and the mean |ℓ_A − ℓ_B| per position), L the mean cross-entropy in nats',
    preprocessing: 'none',
    invariances: 'none',
    reference: '—',
  },
  generations: {
    family: 'output',
    scope: 'samples',
    label: 'Generations',
    short: 'generations',
    direction: 'none',
    range: null,
    summary: 'Side-by-side continuations of the same prompts by every model (seeded).',
    formula: 'greedy and seeded temperature sampling from the same prompts',
    preprocessing: 'none',
    invariances: 'none',
    reference: '—',
  },
} as const satisfies Record<string, MeasureEntry>;

export type MeasureId = keyof typeof MEASURE_CATALOGUE;

/** Every measure, in catalogue order (the spec's `analysis.measures` enum). */
export const MEASURE_IDS = Object.keys(MEASURE_CATALOGUE) as [MeasureId, ...MeasureId[]];

type IdsWhere<F> = {
  [K in MeasureId]: (typeof MEASURE_CATALOGUE)[K] extends F ? K : never;
}[MeasureId];

/** Representation measures: computed on activations, per layer (the similarity registry). */
export type RepresentationMeasureId = IdsWhere<{ family: 'representation' }>;
export const REPRESENTATION_MEASURE_IDS = MEASURE_IDS.filter(
  (id) => MEASURE_CATALOGUE[id].family === 'representation',
) as RepresentationMeasureId[];

/** Output measures compared model × model (not H, which is one value over k models). */
export type PairwiseOutputMeasureId = IdsWhere<{ family: 'output'; scope: 'pair' }>;
export const PAIRWISE_OUTPUT_MEASURE_IDS = MEASURE_IDS.filter(
  (id) => MEASURE_CATALOGUE[id].family === 'output' && MEASURE_CATALOGUE[id].scope === 'pair',
) as PairwiseOutputMeasureId[];

/** Output measures the analysis computes from the scored positions (pairs and H). */
export type OutputMeasureId = PairwiseOutputMeasureId | 'outcome-homogenization';
export const OUTPUT_MEASURE_IDS: readonly OutputMeasureId[] = [
  ...PAIRWISE_OUTPUT_MEASURE_IDS,
  'outcome-homogenization',
];

/**
 * What an experiment comparison summarises per experiment: cross-seed CKA (mean over layers),
 * the pairwise output measures that do not depend on loss scale, and H.
 */
export const COMPARISON_MEASURE_IDS = [
  'linear-cka',
  'top1-agreement',
  'jsd',
  'error-consistency',
  'outcome-homogenization',
] as const satisfies readonly MeasureId[];
export type ComparisonMeasureId = (typeof COMPARISON_MEASURE_IDS)[number];

export function isMeasureId(s: string): s is MeasureId {
  return Object.prototype.hasOwnProperty.call(MEASURE_CATALOGUE, s);
}

export function measureEntry(id: MeasureId): MeasureEntry {
  return MEASURE_CATALOGUE[id];
}
