/**
 * The experiment comparison's chart data and summary table: overlay where the axes match, side
 * by side (shared or per-pane ranges) where they do not; x as fraction of training; profile gaps
 * at layers an experiment lacks; y never below the data's floor; sorting with nulls last; the
 * estimate plot; the comparison route. Inputs are comparison objects shaped as the core returns
 * them.
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
  type ChartChoice,
  type RunCurve,
} from '../../../renderer/src/comparison/comparison-charts';
import { sortRows, summaryColumns } from '../../../renderer/src/comparison/comparison-summary';
import { parseHash } from '../../../renderer/src/shared/ui-store';
import EstimatePlot from '../../../renderer/src/comparison/estimate-plot.vue';

const est = (value: number | null, bounds: [number, number] | null = null) => ({
  value,
  interval: bounds
    ? {
        lower: bounds[0],
        upper: bounds[1],
        level: 0.95,
        method: 'jackknife-t' as const,
        reason: null,
      }
    : { lower: null, upper: null, level: 0.95, method: null, reason: 'too few models' },
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

const choice = (over: Partial<ChartChoice> = {}): ChartChoice => ({
  axis: 'step',
  layout: 'auto',
  axes: 'auto',
  ...over,
});
const words = { agreement: 'top-1 agreement' };

/** Runs 1–3 of experiment 1 and 4–6 of experiment 2, `steps` long, loss falling from 2. */
function curves(stepsA: number, stepsB: number): Map<number, RunCurve> {
  const curve = (steps: number, k: number): RunCurve => {
    const x = Array.from({ length: steps }, (_, i) => i + 1);
    return { x, y: x.map((s) => 2 - s / steps + k * 0.1) };
  };
  return new Map([
    [1, curve(stepsA, 0)],
    [2, curve(stepsA, 1)],
    [3, curve(stepsA, 2)],
    [4, curve(stepsB, 0)],
    [5, curve(stepsB, 1)],
    [6, curve(stepsB, 2)],
  ]);
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
  // The second experiment's seed group holds runs 4–6.
  same.experiments[1].seedGroups[0].runIds = [4, 5, 6];
  deeper.experiments[1].seedGroups[0].runIds = [4, 5, 6];

  it('overlays seed-group loss curves from the runs’ own curves, with a min–max band', () => {
    const c = lossChart(same, curves(12, 12), choice());
    expect(c.overlay).toBe(true);
    expect(c.panes).toHaveLength(1);
    expect(c.panes[0].series.map((s) => s.label)).toEqual(['A (n=3)', 'B (n=3)']);
    expect(c.panes[0].series[0].x).toHaveLength(12);
    expect(c.panes[0].series[0].y[0]).toBeCloseTo(2 - 1 / 12 + 0.1);
    expect(c.panes[0].series[0].band!.min[0]).toBeCloseTo(2 - 1 / 12);
    const side = lossChart(same, curves(12, 12), choice({ layout: 'side' }));
    expect(side.panes.map((p) => p.experimentId)).toEqual([1, 2]);
    // Side-by-side panes share one y range covering both experiments.
    const all = side.panes.flatMap((p) => p.series);
    expect(side.panes[0].yRange).toEqual(sharedRange(all));
    expect(side.panes[1].yRange).toEqual(sharedRange(all));
  });

  it('keeps a 12-step experiment readable next to a 600-step one', () => {
    const c = curves(12, 600);
    // By step: side by side, each pane its own x (auto), both with every point.
    const bySteps = lossChart(same, c, choice());
    expect(bySteps.overlay).toBe(false);
    expect(bySteps.independentX).toBe(true);
    expect(bySteps.panes[0].xRange).toEqual([1, 12]);
    expect(bySteps.panes[1].xRange).toEqual([1, 600]);
    expect(bySteps.panes[0].series[0].x).toHaveLength(12);
    // Shared axes on request.
    expect(lossChart(same, c, choice({ axes: 'shared' })).panes[0].xRange).toEqual([1, 600]);
    // As a fraction of training: one overlaid chart, both ending at 1.
    const byFraction = lossChart(same, c, choice({ axis: 'fraction' }));
    expect(byFraction.overlay).toBe(true);
    const [a, b] = byFraction.panes[0].series;
    expect(a.x.at(-1)).toBe(1);
    expect(b.x.at(-1)).toBe(1);
    expect(a.x[0]).toBeCloseTo(1 / 12);
  });

  it('never puts the y axis below the data’s floor', () => {
    const r = sharedRange([{ label: 'a', color: '#000', x: [0, 1], y: [0.001, 3] }]);
    expect(r![0]).toBe(0);
    expect(r![1]).toBeGreaterThan(3);
    const cka = profileChart(same, choice());
    expect(cka.panes[0].yRange![0]).toBeGreaterThanOrEqual(0);
    expect(cka.panes[0].yRange![1]).toBeLessThanOrEqual(1);
  });

  it('overlays profiles when the layers match, with a gap at a layer a model does not have', () => {
    const a = profileChart(same, choice());
    expect(a.overlay).toBe(true);
    expect(a.xTickLabels).toEqual(same.layers);
    // x positions index the comparison's shared layer axis; blocks.1 (index 2) is a gap.
    expect(a.panes[0].series[1].x).toEqual([0, 1, 2, 3]);
    expect(a.panes[0].series[1].y[2]).toBeNaN();
    expect(a.panes[0].series[1].y.filter(Number.isFinite)).toHaveLength(3);
    const b = profileChart(deeper, choice());
    expect(b.overlay).toBe(false);
    expect(b.panes[1].series[0].x).toEqual([0, 1, 2, 3]);
    expect(b.panes[1].series[0].y.every(Number.isFinite)).toBe(true);
    expect(b.panes[0].xRange).toEqual([0, 3]);
    const [lo, hi] = b.panes[0].yRange!;
    expect(lo).toBeLessThan(0.3);
    expect(hi).toBeGreaterThan(0.8);
  });

  it('puts trajectories side by side when the analysed steps differ, with points', () => {
    expect(trajectoryChart(same, choice(), words).overlay).toBe(true);
    const t = trajectoryChart(deeper, choice(), words);
    expect(t.overlay).toBe(false);
    expect(t.panes[0].xRange).toEqual([6, 30]);
    expect(t.panes[0].series[0].points).toBe(true);
    expect(trajectoryChart(deeper, choice({ layout: 'overlay' }), words).overlay).toBe(true);
    // As a fraction of training: each experiment's last checkpoint at 1.
    const f = trajectoryChart(deeper, choice({ axis: 'fraction' }), words);
    expect(f.panes.flatMap((p) => p.series.map((s) => s.x.at(-1)))).toEqual([1, 1]);
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

  it('has one column per homogenization measure, holding its value and its difference', () => {
    const keys = cols.map((c) => c.key);
    for (const m of ['linear-cka', 'top1-agreement', 'jsd', 'error-consistency']) {
      expect(keys).toContain(m);
      expect(cols.find((c) => c.key === m)?.diff?.key).toBe(`${m}:diff`);
    }
    expect(keys.some((k) => k.endsWith(':diff'))).toBe(false);
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
