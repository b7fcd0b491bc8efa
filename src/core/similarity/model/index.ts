/**
 * Model-aware weight analysis of the engine's Transformer: function-preserving permutations,
 * Git Re-Basin weight matching (heads as blocks), aligned distance vs the naive baseline, the
 * loss barrier along linear interpolation, permutation-invariant spectra and within-run
 * trajectories. Everything but `loss-barrier.ts` is pure float math on plain arrays.
 */
export type { WeightTensor, ModelWeights } from './model-weights';
export {
  checkModelWeights,
  memberWeights,
  stackWeights,
  checkpointWeights,
  flatView,
  interpolateWeights,
} from './model-weights';
export type {
  LayerPermutation,
  TransformerPermutation,
  PermutationSymmetries,
  AxisRole,
} from './permutation';
export {
  permutationSymmetries,
  identityPermutation,
  randomPermutation,
  invertPermutation,
  samePermutation,
  axisRoles,
  permuteModel,
} from './permutation';
export type { MatchOptions, MatchResult } from './matching';
export { matchTransformers, permutedInner } from './matching';
export type { WeightDistance, AlignmentResult } from './alignment';
export { alignModels, matricesOnly, weightDistance } from './alignment';
export type { BarrierOptions, BarrierCurve } from './loss-barrier';
export { lossBarrier, barrierOf, modelLosses, DEFAULT_ALPHAS } from './loss-barrier';
export type { ModelSpectra, SpectraComparison } from './spectra';
export { modelSpectra, spectraDistance, spectrumDistance } from './spectra';
export type { WeightTrajectory } from './trajectory';
export { initialWeights, weightTrajectory } from './trajectory';
