/**
 * The experiment comparison's chart data and summary table: overlay where the axes match, side
 * by side (with shared ranges) where they do not; sorting with nulls last; the estimate plot;
 * the comparison route. Inputs are comparison objects shaped exactly as the core returns them.
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import type { Comparison, ExperimentComparison, SummaryRow } from '../../../src/api/types';
import {
  lossChart,
  outputRows,
  profileChart,
  sharedRange,
  trajectoryChart,
} from '../../../renderer/src/comparison/comparison-charts';
import { sortRows, summaryColumns } from '../../../renderer/src/comparison/comparison-summary';
import { parseHash } from '../../../renderer/src/shared/ui-store';
import EstimatePlot from '../../../renderer/src/comparison/estimate-plot.vue';

const est = (value: number | null, interval: [number, number] | null = null) => ({
  value,
  interval,
  pairs: 3,
  models: 3,
});

function entry(
  id: number,
  name: string,
  layers: string[],
  steps: number[],
  cka: number,
): ExperimentComparison {
  const band = { mean: [2, 1.5, null], min: [2.1, 1.6, null], max: [1.9, 1.4, null], n: [3, 3, 0] };
  return {
    experimentId: id,
    name,
    runCount: 3,
    statuses: { completed: 3 },
    seedGroups: [
      { id: 'g0', label: '', axes: {}, runIds: [1, 2, 3], initSeeds: [0, 1, 2], dataSeeds: [0] },
    ],
    lossCurves: [
      {
        metric: 'loss',
        groups: [{ groupId: 'g0', bands: { step: band, tokens: band, wallMs: band } }],
      },
    ],
    profile: {
      measure: 'linear-cka',
      step: 12,
      layers: layers.map((l, i) => ({ layer: l, ...est(cka - 0.1 * i, [cka - 0.2, cka]) })),
      overall: est(cka),
    },
    outputs: {
      step: 12,
      'top1-agreement': est(0.5, [0.4, 0.6]),
      jsd: est(0.01),
      'error-consistency': null,
      'outcome-homogenization': {
        value: 1.3,
        k: 3,
        interval: null,
        errorRates: [0.5, 0.5, 0.5],
        allFail: 0.2,
      },
    },
    trajectory: {
      measure: 'linear-cka',
      steps,
      tokens: steps.map((s) => s * 32),
      layers: [],
      overall: steps.map(() => cka),
      agreement: steps.map(() => null),
    },
    missing: [],
  };
}

function comparison(a: ExperimentComparison, b: ExperimentComparison): Comparison {
  return {
    version: 1,
    createdAt: 0,
    experimentIds: [a.experimentId, b.experimentId],
    settings: {
      reference: 0,
      similarityMeasure: 'linear-cka',
      step: 'final',
      gridPoints: 3,
      level: 0.95,
      resamples: 100,
      permutations: 100,
      seed: 0,
      metrics: ['loss'],
    },
    grids: { step: [1, 6, 12], tokens: [32, 192, 384], wallMs: [10, 60, 120] },
    experiments: [a, b],
    specDiff: [],
    summary: [],
    layers: ['embed', 'blocks.0', 'blocks.1', 'final_norm'],
    notes: [],
  };
}

describe('comparison charts', () => {
  const same = comparison(
    entry(1, 'A', ['embed', 'blocks.0', 'final_norm'], [6, 12], 0.8),
    entry(2, 'B', ['embed', 'blocks.0', 'final_norm'], [6, 12], 0.6),
  );
  const deeper = comparison(
    entry(1, 'A', ['embed', 'blocks.0', 'final_norm'], [6, 12], 0.8),
    entry(2, 'B', ['embed', 'blocks.0', 'blocks.1', 'final_norm'], [10, 20, 30], 0.6),
  );

  it('overlays loss curves on the shared grid, dropping points without data', () => {
    const c = lossChart(same, 0, 'step', 'auto');
    expect(c.overlay).toBe(true);
    expect(c.panes).toHaveLength(1);
    expect(c.panes[0].series.map((s) => s.label)).toEqual(['A (n=3)', 'B (n=3)']);
    expect(c.panes[0].series[0].x).toEqual([1, 6]);
    expect(c.panes[0].series[0].band).toEqual({ min: [2.1, 1.6], max: [1.9, 1.4] });
    const side = lossChart(same, 0, 'step', 'side');
    expect(side.panes.map((p) => p.experimentId)).toEqual([1, 2]);
    // Side-by-side panes share one y range covering both experiments.
    expect(side.yRange).toEqual(sharedRange(side.panes.flatMap((p) => p.series)));
  });

  it('overlays profiles when the layers match and puts them side by side when not', () => {
    const a = profileChart(same, 'auto');
    expect(a.overlay).toBe(true);
    expect(a.xTickLabels).toEqual(same.layers);
    // x positions index the comparison's shared layer axis.
    expect(a.panes[0].series[1].x).toEqual([0, 1, 3]);
    const b = profileChart(deeper, 'auto');
    expect(b.overlay).toBe(false);
    expect(b.panes[1].series[0].x).toEqual([0, 1, 2, 3]);
    expect(b.xRange).toEqual([0, 3]);
    const [lo, hi] = b.yRange!;
    expect(lo).toBeLessThan(0.3);
    expect(hi).toBeGreaterThan(0.8);
  });

  it('puts trajectories side by side when the analysed steps differ', () => {
    expect(trajectoryChart(same, 'step', 'auto').overlay).toBe(true);
    const t = trajectoryChart(deeper, 'step', 'auto');
    expect(t.overlay).toBe(false);
    expect(t.xRange).toEqual([6, 30]);
    expect(trajectoryChart(deeper, 'step', 'overlay').overlay).toBe(true);
  });

  it('reads output homogenization per experiment, null where not analysed', () => {
    expect(outputRows(same, 'top1-agreement').map((r) => [r.value, r.interval])).toEqual([
      [0.5, [0.4, 0.6]],
      [0.5, [0.4, 0.6]],
    ]);
    expect(outputRows(same, 'error-consistency').map((r) => r.value)).toEqual([null, null]);
    expect(outputRows(same, 'outcome-homogenization').map((r) => r.value)).toEqual([1.3, 1.3]);
  });
});

describe('comparison summary table', () => {
  const row = (id: number, name: string, cka: number | null, loss: number): SummaryRow =>
    ({
      experimentId: id,
      name,
      runs: 3,
      completed: 3,
      seeds: 3,
      finalLoss: { mean: loss, min: loss - 0.1, max: loss + 0.1 },
      finalEvalLoss: { mean: null, min: null, max: null },
      tokens: 384,
      wallMsPerRun: 2000,
      wallMsSpan: 3000,
      backends: ['wasm'],
      devices: [],
      measures: {
        'linear-cka': { ...est(cka), diff: null },
      },
    }) as unknown as SummaryRow;
  const rows = [row(1, 'b', 0.5, 2), row(2, 'a', null, 1), row(3, 'c', 0.7, 3)];
  const cols = summaryColumns();

  it('sorts numerically with missing values last, and by name', () => {
    expect(sortRows(rows, cols, 'linear-cka', false).map((r) => r.experimentId)).toEqual([1, 3, 2]);
    expect(sortRows(rows, cols, 'linear-cka', true).map((r) => r.experimentId)).toEqual([3, 1, 2]);
    expect(sortRows(rows, cols, 'finalLoss', false).map((r) => r.experimentId)).toEqual([2, 1, 3]);
    expect(sortRows(rows, cols, 'name', false).map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('has a value and a difference column per homogenization measure', () => {
    const keys = cols.map((c) => c.key);
    for (const m of ['linear-cka', 'top1-agreement', 'jsd', 'error-consistency'])
      expect(keys).toEqual(expect.arrayContaining([m, `${m}:diff`]));
  });
});

describe('EstimatePlot and the comparison route', () => {
  it('draws one dot per experiment with a value and a whisker per interval', () => {
    const w = mount(EstimatePlot, {
      props: {
        title: 'Top-1 agreement',
        range: [0, 1] as const,
        rows: [
          { experimentId: 1, label: 'A', color: '#4e79a7', value: 0.5, interval: [0.4, 0.6] },
          { experimentId: 2, label: 'B', color: '#f28e2b', value: null, interval: null },
        ],
      },
    });
    expect(w.find('figure').attributes('data-filled')).toBe('1');
    expect(w.findAll('circle')).toHaveLength(1);
    expect(w.find('svg').attributes('aria-label')).toContain('A: 0.5 [0.4, 0.6]');
  });

  it('parses the experiments of the comparison view from the hash', () => {
    expect(parseHash('#/comparison/3,5')).toEqual({
      view: 'comparison',
      experimentId: 3,
      experimentIds: [3, 5],
    });
    expect(parseHash('#/runs/12').experimentIds).toEqual([12]);
    expect(parseHash('#/comparison/x,3,3').experimentIds).toEqual([3]);
  });

  it('opens bookmarks of the earlier view names in the same views', () => {
    expect(parseHash('#/versus/3,5').view).toBe('comparison');
    expect(parseHash('#/compare/12').view).toBe('runs');
  });
});
