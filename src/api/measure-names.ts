/**
 * The analysis step's measure names, copied here because the contract must stay browser-safe
 * (src/experiments/spec/spec.ts pulls in Node-side code). tests/api/measure-names.test.ts keeps the
 * two lists equal.
 */
export const MEASURES = [
  'linear-cka',
  'debiased-cka',
  'rbf-cka',
  'procrustes',
  'mutual-knn',
  'svcca',
  'pwcca',
  'weight-trajectory',
  'aligned-weights',
  'spectra',
  'top1-agreement',
  'jsd',
  'error-consistency',
  'outcome-homogenization',
  'loss-difference',
  'generations',
] as const;

export type AnalysisMeasure = (typeof MEASURES)[number];
