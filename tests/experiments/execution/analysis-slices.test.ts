/** Splitting an analysis into slices for the pool: every (measure, step) exactly once. */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../db/store';
import { sliceAnalysis } from '../../../src/experiments/execution/analysis-slices';
import type { AnalysisSliceOptions } from '../../../src/experiments/execution/worker/protocol';
import { createExperiment } from '../../../src/experiments/spec/create';
import { getPreset } from '../../../src/experiments/spec/presets';

function lab(steps: number[]) {
  const store = openStore(':memory:');
  const { experiment, runs } = createExperiment(store, getPreset('seed-sweep').spec('tiny'));
  for (const r of runs)
    for (const step of steps)
      store.checkpoints.save(r.id, {
        step,
        weights: {},
        optimizer: {},
        dataCursor: {},
        rngState: [],
      });
  return { store, id: experiment.id };
}

/** Every (measure, step) a list of slices computes, with how often. */
function coverage(slices: AnalysisSliceOptions[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const s of slices)
    for (const m of s.measures ?? [])
      for (const step of s.steps as number[]) {
        const k = m === 'weight-trajectory' ? m : `${m}@${step}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
  return seen;
}

const MEASURES = [
  'linear-cka',
  'procrustes',
  'top1-agreement',
  'jsd',
  'generations',
  'spectra',
  'weight-trajectory',
] as const;

describe('sliceAnalysis', () => {
  it('one step: a slice per measure family, layer matrices only with the representations', () => {
    const { store, id } = lab([6, 12]);
    const slices = sliceAnalysis(
      store,
      id,
      { measures: [...MEASURES], layerMeasures: ['linear-cka'] },
      2,
    );
    expect(slices.map((s) => s.measures)).toEqual([
      ['weight-trajectory'],
      ['linear-cka', 'procrustes'],
      ['top1-agreement', 'jsd'],
      ['generations'],
      ['spectra'],
    ]);
    expect(slices.slice(1).map((s) => s.steps)).toEqual([[12], [12], [12], [12]]);
    expect(slices[1].layerMeasures).toEqual(['linear-cka']);
    for (const s of slices.slice(2)) expect(s.layerMeasures).toEqual([]);
    expect([...coverage(slices).values()].every((n) => n === 1)).toBe(true);
    store.close();
  });

  it('several steps: dealt over up to 2 × workers slices, each (measure, step) once', () => {
    const steps = [2, 4, 6, 8, 10, 12];
    const { store, id } = lab(steps);
    const slices = sliceAnalysis(store, id, { measures: [...MEASURES], steps: 'all' }, 2);
    expect(slices).toHaveLength(5); // the trajectory + 4 step slices
    const cov = coverage(slices);
    expect(cov.size).toBe((MEASURES.length - 1) * steps.length + 1);
    expect([...cov.values()].every((n) => n === 1)).toBe(true);
    store.close();
  });

  it('one worker: the whole analysis as one slice; an unknown measure is refused', () => {
    const { store, id } = lab([6, 12]);
    expect(sliceAnalysis(store, id, { measures: ['jsd'] }, 1)).toEqual([{ measures: ['jsd'] }]);
    expect(() => sliceAnalysis(store, id, { measures: ['nope' as 'jsd'] }, 2)).toThrow(
      /unknown measure 'nope'/,
    );
    store.close();
  });
});
