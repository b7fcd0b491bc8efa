/**
 * The analysis step end to end on a real store: a tiny seed sweep trained by the worker's job
 * function, then every measure at every checkpoint; results are stored in the shapes the API's
 * reader understands, and a second call reuses them instead of recomputing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairData, sortLayers as rowsLayerOrder } from '../../../src/experiments/analysis/rows';
import {
  analyzeExperiment,
  resolveSteps,
  type AnalysisProgress,
} from '../../../src/experiments/analysis';
import { MEASURES } from '../../../src/experiments/spec/spec';
import { trainedLab, type TrainedLab } from './helpers';

let lab: TrainedLab;

beforeAll(async () => {
  lab = await trainedLab((s) => {
    s.axes = { grid: { initSeed: [0, 1, 2] } };
  });
});
afterAll(() => lab?.store.close());

describe('resolveSteps', () => {
  it('picks the last common step, all steps, or the given ones', () => {
    expect(
      resolveSteps(
        [
          [5, 10],
          [5, 10],
        ],
        'final',
      ),
    ).toEqual([10]);
    expect(resolveSteps([[5, 10], [5]], 'final')).toEqual([5]);
    expect(resolveSteps([[5, 10], [3]], 'all')).toEqual([3, 5, 10]);
    expect(resolveSteps([[5, 10]], [10, 5, 10])).toEqual([5, 10]);
  });
});

describe('analyzeExperiment', () => {
  it('computes every measure at every checkpoint, stores them, and reuses them', async () => {
    const { store, experimentId, runIds } = lab;
    const events: AnalysisProgress[] = [];
    const first = await analyzeExperiment(store, experimentId, {
      measures: MEASURES,
      steps: 'all',
      onProgress: (p) => events.push(p),
    });
    expect(first.steps).toEqual([6, 12]);
    expect(first.runIds).toEqual(runIds);
    expect(first.created).toBeGreaterThan(50);
    expect(first.samplesCreated).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThan(10);
    expect(events.at(-1)).toMatchObject({ phase: 'done', fraction: 1 });
    for (let i = 1; i < events.length; i++)
      expect(events[i].fraction).toBeGreaterThanOrEqual(events[i - 1].fraction - 1e-12);

    const rows = store.analyses.list({ experimentId });
    const kinds = new Set(rows.map((r) => r.kind));
    for (const m of MEASURES) if (m !== 'generations') expect(kinds).toContain(m);
    // Every row records the probe it was computed on.
    for (const r of rows) expect(r.params.probe).toBe(first.probe.hash);

    // Model × model per layer: symmetric, identity on the diagonal, values in range.
    const cka = rows.filter(
      (r) => r.kind === 'linear-cka' && r.params.view === 'model-matrix' && r.step === 12,
    );
    expect(cka.map((r) => r.layers)).toEqual(['embed', 'blocks.0', 'final_norm']);
    const m = (cka[0].result as { matrix: number[][] }).matrix;
    expect(m.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(m[i][i]).toBe(1);
      for (let j = 0; j < 3; j++) {
        expect(m[i][j]).toBe(m[j][i]);
        expect(m[i][j]).toBeGreaterThan(0);
        expect(m[i][j]).toBeLessThanOrEqual(1);
      }
    }
    // Layer × layer for each of the 3 pairs.
    const ll = rows.filter((r) => r.kind === 'linear-cka' && r.params.view === 'layer-matrix');
    expect(ll.length).toBe(2 * 3);
    // Within each run: step 6 against the run's final checkpoint (step 12), per layer.
    const vsFinal = rows.filter((r) => r.kind === 'linear-cka' && r.params.view === 'vs-final');
    expect(vsFinal.length).toBe(3 * 3);
    for (const r of vsFinal) {
      expect(r.step).toBe(6);
      expect(r.runIds[0]).toBe(r.runIds[1]);
      const v = (r.result as { value: number; finalStep: number }).value;
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThanOrEqual(1);
      expect((r.result as { finalStep: number }).finalStep).toBe(12);
    }
    // Aligned weights: matching never makes two runs look further apart than raw weights.
    const aligned = rows.find((r) => r.kind === 'aligned-weights' && r.step === 12)!.result as {
      matrix: number[][];
      naiveDistance: number[][];
      barrier: number[][];
    };
    expect(aligned.matrix[0][1]).toBeLessThanOrEqual(aligned.naiveDistance[0][1] + 1e-9);
    expect(Number.isFinite(aligned.barrier[0][1])).toBe(true);
    // Trajectories: one per run; the final checkpoint is at distance 0 from itself.
    const traj = rows.filter((r) => r.kind === 'weight-trajectory');
    expect(traj.map((r) => r.runIds[0]).sort()).toEqual(runIds);
    const t = traj[0].result as {
      steps: number[];
      distanceToFinal: number[];
      distanceToInit: number[];
    };
    expect(t.steps).toEqual([6, 12]);
    expect(t.distanceToFinal.at(-1)).toBe(0);
    expect(t.distanceToInit[1]).toBeGreaterThan(t.distanceToInit[0]);
    // Generations: greedy and sampled for each prompt, per run and step.
    const samples = store.samples.list(runIds[0], { step: 12 });
    expect(new Set(samples.map((s) => s.params.mode))).toEqual(new Set(['greedy', 'sample']));

    // The one row module turns them into pairwise values for the views, layers in model order.
    const data = pairData(store, experimentId);
    expect(data.measures).toContain('linear-cka');
    expect(data.layers).toEqual(
      expect.arrayContaining(['embed', 'blocks.0', 'final_norm', 'output']),
    );
    expect(data.layers).toEqual(rowsLayerOrder(data.layers));
    expect(data.layers.indexOf('embed')).toBeLessThan(data.layers.indexOf('blocks.0'));
    // Each run against its own final checkpoint is its own series, not a pair with itself.
    const selfSeries = data.pairs.filter((p) => p.view === 'vs-final');
    expect(selfSeries.length).toBeGreaterThan(0);
    expect(selfSeries.every((p) => p.runA === p.runB && p.step === 6)).toBe(true);
    expect(data.pairs.some((p) => p.measure === 'jsd' && p.layerA === 'output')).toBe(true);

    // Second call: nothing recomputed, nothing added.
    const before = rows.length;
    const samplesBefore = runIds.map((id) => store.samples.list(id).length);
    const second = await analyzeExperiment(store, experimentId, {
      measures: MEASURES,
      steps: 'all',
    });
    expect(second.created).toBe(0);
    expect(second.samplesCreated).toBe(0);
    expect(second.reused).toBeGreaterThan(10);
    expect(second.timings.forward ?? 0).toBe(0);
    expect(store.analyses.list({ experimentId }).length).toBe(before);
    expect(runIds.map((id) => store.samples.list(id).length)).toEqual(samplesBefore);

    // A different option is a different analysis: 3 layers model × model, 3 pairs layer × layer.
    const third = await analyzeExperiment(store, experimentId, {
      measures: ['mutual-knn'],
      steps: [12],
      measureOptions: { k: 5 },
    });
    expect(third.created).toBe(6);
  });

  it('rejects unknown measures and runs of other experiments', async () => {
    await expect(
      analyzeExperiment(lab.store, lab.experimentId, { measures: ['nope' as never] }),
    ).rejects.toThrow(/unknown measure 'nope'/);
    await expect(analyzeExperiment(lab.store, lab.experimentId, { runIds: [999] })).rejects.toThrow(
      /not part of experiment/,
    );
  });
});
