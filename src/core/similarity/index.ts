/**
 * Similarity measures between models: representations (CKA family, Procrustes, mutual k-NN,
 * CCA family), outputs (agreement, JSD, error consistency, homogenization, loss difference) and
 * weights (flat distances, spectra, linear assignment). Pure float64 math on plain arrays (JS
 * plus one small WebAssembly SIMD kernel, with a JS fallback); no tfjs, no I/O. See docs/measures.md for the user-facing description of every measure.
 */
export type { Matrix } from './matrix';
export { matrix, fromRows, toRows, transpose, centerColumns, multiply } from './matrix';
export {
  crossProduct,
  gram,
  kernelThreads,
  setKernel,
  setKernelThreads,
  wasmKernelAvailable,
} from './kernels';
export type { KernelChoice } from './kernels';
export type { RepresentationInput } from './representation';
export { Representation, asRepresentation } from './representation';
export type { CkaStrategy } from './cka';
export { linearCka, debiasedCka, rbfCka, centeredRbfGram, ckaFromCenteredGrams } from './cka';
export { procrustesDistance } from './procrustes';
export { mutualKnn, nearestNeighbours } from './mutual-knn';
export type { CcaResult } from './cca';
export { svcca, pwcca, ccaSampleWarning, CCA_MIN_RATIO } from './cca';
export type { ScoreKind, LossDifference } from './outputs';
export {
  argmaxRows,
  top1Agreement,
  toProbabilities,
  jensenShannonPerExample,
  meanJensenShannon,
  crossEntropyPerExample,
  correctness,
  lossDifference,
} from './outputs';
export { errorConsistency, outcomeHomogenization } from './error-consistency';
export type { WeightMap, FlatComparison } from './weights';
export {
  compareFlat,
  flatDistance,
  flatCosine,
  singularValues,
  lowRankProductSpectrum,
  qkSpectrum,
  ovSpectrum,
  splitHeads,
} from './weights';
export type { Assignment } from './assignment';
export { linearAssignment } from './assignment';
export type {
  MeasureName,
  MeasureOptions,
  MeasureResult,
  MeasureInfo,
  MeasureOptionInfo,
} from './registry';
export { MEASURES, MEASURE_NAMES, isMeasureName, computeMeasure } from './registry';
