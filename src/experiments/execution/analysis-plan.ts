/**
 * Splitting an analysis into slices the pool's workers compute in parallel, each one call of
 * `analyzeExperiment` over a (steps × measures) selection. Slices never write the same rows:
 * each analysis row is keyed by its measure and step, and every (measure, step) is in exactly
 * one slice.
 *
 * - Several steps: the steps are dealt round-robin into up to 2 × workers slices, each with
 *   every measure (one forward pass per step serves them all).
 * - One step: one slice per measure family (representations, outputs, generated samples,
 *   weights), since a family shares its forward pass or weight loading.
 * - Weight trajectories span every checkpoint, not a step: always a slice of their own.
 */
import { MEASURE_CATALOGUE, type MeasureId } from '../../core/similarity/catalogue';
import type { ExperimentSpec } from '../spec/spec';
import type { RunnerStore } from './store-types';
import type { AnalysisSliceOptions } from './worker/protocol';

function familyOf(id: MeasureId): string {
  const e = MEASURE_CATALOGUE[id];
  if (e.scope === 'run') return 'trajectory';
  if (e.scope === 'samples') return 'samples';
  return e.family;
}

export async function planAnalysis(
  store: RunnerStore,
  experimentId: number,
  options: AnalysisSliceOptions,
  workers: number,
): Promise<AnalysisSliceOptions[]> {
  // Loaded on demand: the analysis module brings tfjs, which the serving process need not load.
  const { resolveSteps } = await import('../analysis/run-analysis');
  const spec = store.experiments.require(experimentId).spec as unknown as ExperimentSpec;
  const measures = [...new Set(options.measures ?? spec.analysis?.measures ?? [])];
  for (const m of measures)
    if (!(m in MEASURE_CATALOGUE))
      throw new Error(
        `unknown measure '${m}'; allowed: ${Object.keys(MEASURE_CATALOGUE).join(', ')}`,
      );
  const only = options.runIds ? new Set(options.runIds) : null;
  const cpSteps = store.runs
    .listByExperiment(experimentId)
    .filter((r) => !only || only.has(r.id))
    .map((r) => store.checkpoints.list(r.id).map((c) => c.step))
    .filter((s) => s.length > 0);
  const steps = resolveSteps(cpSteps, options.steps ?? spec.analysis?.checkpoints ?? 'final');
  if (workers < 2 || !steps.length || !measures.length) return [{ ...options, measures }];

  const trajectory = measures.filter((m) => familyOf(m) === 'trajectory');
  const perStep = measures.filter((m) => familyOf(m) !== 'trajectory');
  const slices: AnalysisSliceOptions[] = [];
  if (trajectory.length)
    slices.push({ ...options, measures: trajectory, steps: [steps[steps.length - 1]] });
  if (!perStep.length) return slices;

  const withLayers = (ms: MeasureId[]): AnalysisSliceOptions => {
    const rep = ms.some((m) => familyOf(m) === 'representation');
    // Layer × layer matrices belong to the representation slice only.
    return rep ? { ...options, measures: ms } : { ...options, measures: ms, layerMeasures: [] };
  };
  if (steps.length > 1) {
    const k = Math.min(steps.length, 2 * workers);
    for (let i = 0; i < k; i++)
      slices.push({
        ...withLayers(perStep),
        steps: steps.filter((_, j) => j % k === i),
      });
    return slices;
  }
  const families = new Map<string, MeasureId[]>();
  for (const m of perStep) families.set(familyOf(m), [...(families.get(familyOf(m)) ?? []), m]);
  for (const ms of families.values()) slices.push({ ...withLayers(ms), steps });
  return slices;
}
