/**
 * Splitting an analysis into slices the pool's workers compute in parallel, each one call of
 * `analyzeExperiment` over a (steps × measures) selection of the analysis step's plan
 * (analysis/plan.ts). Slices never write the same rows: a row is keyed by its measure and step,
 * and every (measure, step) is in exactly one slice.
 *
 * - Several steps: the steps are dealt round-robin into up to 2 × workers slices, each with
 *   every measure (one forward pass per step serves them all).
 * - One step: one slice per measure family (representations, outputs, generated samples,
 *   weight tables), since a family shares its forward pass or weight loading.
 * - Weight trajectories span every checkpoint, not a step: always a slice of their own.
 */
import { planAnalysis } from '../analysis/plan';
import type { Measure } from '../spec/spec';
import type { RunnerStore } from './store-types';
import type { AnalysisSliceOptions } from './worker/protocol';

export function sliceAnalysis(
  store: RunnerStore & Parameters<typeof planAnalysis>[0],
  experimentId: number,
  options: AnalysisSliceOptions,
  workers: number,
): AnalysisSliceOptions[] {
  const plan = planAnalysis(store, experimentId, options);
  const { steps, measures } = plan;
  if (workers < 2 || !steps.length || !measures.length) return [{ ...options, measures }];

  const slices: AnalysisSliceOptions[] = [];
  if (plan.weightTrajectory)
    slices.push({ ...options, measures: ['weight-trajectory'], steps: [steps[steps.length - 1]] });
  const weightTables: Measure[] = [];
  if (plan.spectra) weightTables.push('spectra');
  if (plan.alignedWeights) weightTables.push('aligned-weights');
  const families = [
    plan.representation as Measure[],
    plan.output as Measure[],
    (plan.generations ? ['generations'] : []) as Measure[],
    weightTables,
  ].filter((f) => f.length > 0);
  if (!families.length) return slices;

  // Layer × layer matrices (and each run against its final state) go with the representations.
  const withLayers = (ms: Measure[]): AnalysisSliceOptions =>
    ms.some((m) => (plan.representation as Measure[]).includes(m))
      ? { ...options, measures: ms, layerMeasures: plan.layer }
      : { ...options, measures: ms, layerMeasures: [] };
  if (steps.length > 1) {
    const k = Math.min(steps.length, 2 * workers);
    const all = families.flat();
    for (let i = 0; i < k; i++)
      slices.push({ ...withLayers(all), steps: steps.filter((_, j) => j % k === i) });
    return slices;
  }
  for (const ms of families) slices.push({ ...withLayers(ms), steps });
  return slices;
}
