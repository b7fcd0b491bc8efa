/**
 * The measures the UI can explain: the representation measures from the similarity registry
 * (their own formula, invariances and reference) plus the output, weight and trajectory
 * measures of the analysis step, described here in one line each.
 */
import { MEASURES as REGISTRY } from '../core/similarity/registry';
import { MEASURES as ANALYSIS_MEASURES } from '../experiments/spec/spec';
import type { MeasureInfo } from './types';

const OTHERS: Record<string, Omit<MeasureInfo, 'id' | 'docAnchor'>> = {
  'top1-agreement': {
    name: 'Top-1 agreement',
    family: 'output',
    summary: 'Fraction of probe positions where two models predict the same next token.',
    higherIsSimilar: true,
    range: [0, 1],
  },
  jsd: {
    name: 'Jensen–Shannon divergence (base 2)',
    family: 'output',
    summary:
      'Mean JSD between the two models’ next-token distributions; 0 = identical, 1 = disjoint.',
    higherIsSimilar: false,
    range: [0, 1],
  },
  'error-consistency': {
    name: 'Error consistency κ',
    family: 'output',
    summary:
      'Cohen’s κ on which probe items each model gets right, beyond chance (Geirhos et al. 2020).',
    higherIsSimilar: true,
    range: [-1, 1],
  },
  'outcome-homogenization': {
    name: 'Outcome homogenization H',
    family: 'output',
    summary:
      'How much more often all k models fail together than if they failed independently (Bommasani et al. 2022).',
    higherIsSimilar: true,
    range: null,
  },
  'loss-difference': {
    name: 'Loss difference',
    family: 'output',
    summary: 'Difference of mean probe losses between two models.',
    higherIsSimilar: false,
    range: null,
  },
  'weight-trajectory': {
    name: 'Weight trajectory',
    family: 'weights',
    summary:
      'Within one run: distance and cosine of the weights to initialisation and to the final weights.',
    higherIsSimilar: false,
    range: null,
  },
  'aligned-weights': {
    name: 'Aligned weight distance',
    family: 'weights',
    summary:
      'Distance after head-aware permutation matching of two same-shape models (raw cosine is only a naive baseline).',
    higherIsSimilar: false,
    range: null,
  },
  spectra: {
    name: 'Singular-value spectra',
    family: 'weights',
    summary:
      'Permutation-invariant summaries: singular values per matrix and per-head W_Q·W_Kᵀ, W_V·W_O.',
    higherIsSimilar: false,
    range: null,
  },
  generations: {
    name: 'Generations',
    family: 'output',
    summary: 'Side-by-side continuations of the same prompts by every model (seeded).',
    higherIsSimilar: true,
    range: null,
  },
};

export function measureInfos(): MeasureInfo[] {
  const out: MeasureInfo[] = [];
  for (const m of Object.values(REGISTRY))
    out.push({
      id: m.name,
      name: m.title,
      family: 'representation',
      summary: `${m.formula}. Invariant to ${m.invariances}. Preprocessing: ${m.preprocessing}. Cost: ${m.cost}. Reference: ${m.reference}.`,
      higherIsSimilar: m.direction === 'similarity',
      docAnchor: m.name,
      range: [m.range[0], m.range[1]],
    });
  for (const id of ANALYSIS_MEASURES) {
    if (out.some((m) => m.id === id)) continue;
    const o = OTHERS[id];
    if (o) out.push({ id, docAnchor: id, ...o });
  }
  return out;
}

export function measureInfo(id: string): MeasureInfo | undefined {
  return measureInfos().find((m) => m.id === id);
}
