/**
 * The runs store over a real lab: runs, series, seed groups and groups by a config field,
 * smoothing, sorting on any column, filters (search and per column) driving the chart, the
 * counter and the diff, x as fraction of training.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../../renderer/src/transport';
import { useRunsStore } from '../../../renderer/src/runs/runs-store';
import { getPreset } from '../../../src/experiments/spec/presets';
import { realLab } from '../real-lab';

let env: ReturnType<typeof realLab>;
let expId: number;

beforeAll(async () => {
  env = realLab();
  setClient(env.client);
  const e = await env.client.call('createExperiment', {
    name: 'cmp',
    spec: getPreset('seed-sweep').spec('tiny') as Record<string, unknown>,
    start: false,
  });
  expId = e.id;
  const runs = env.lab.store.runs.listByExperiment(expId);
  env.lab.store.metrics.insert(
    runs.flatMap((r, k) =>
      Array.from({ length: 200 }, (_, i) => ({
        runId: r.id,
        name: 'loss',
        step: i + 1,
        tokens: (i + 1) * 32,
        wallMs: i,
        value: 3 - i / 100 + k * 0.1,
      })),
    ),
  );
});
afterAll(() => env.dispose());

describe('runs store', () => {
  it('loads runs and series, then groups seeds into one mean curve with a band', async () => {
    setActivePinia(createPinia());
    const cmp = useRunsStore();
    await cmp.load([expId]);
    expect(cmp.runs).toHaveLength(3);
    cmp.smoothing = 0;
    expect(cmp.chartSeries).toHaveLength(3);
    expect(cmp.chartSeries[0].x).toHaveLength(200);
    cmp.groupBy = 'seeds';
    expect(cmp.chartSeries).toHaveLength(1);
    const g = cmp.chartSeries[0];
    expect(g.label).toContain('n=3');
    expect(g.band!.min[0]).toBeCloseTo(3);
    expect(g.band!.max[0]).toBeCloseTo(3.2);
    expect(g.y[0]).toBeCloseTo(3.1);
  });

  it('smooths, sorts on any column, and lets the filters drive chart, counter and diff', async () => {
    setActivePinia(createPinia());
    const cmp = useRunsStore();
    await cmp.load([expId]);
    cmp.smoothing = 0;
    const raw = cmp.chartSeries[0].y.slice();
    cmp.smoothing = 0.9;
    expect(cmp.chartSeries[0].y).not.toEqual(raw);
    cmp.sortBy('name'); // already sorted by name: flips to descending
    expect(cmp.visibleRuns.map((r) => r.name)).toEqual(['initSeed=2', 'initSeed=1', 'initSeed=0']);
    // Sorting by a metric: the lowest final loss first (run k has loss + 0.1 k).
    cmp.sortBy('finalLoss');
    expect(cmp.visibleRuns.map((r) => r.name)).toEqual(['initSeed=0', 'initSeed=1', 'initSeed=2']);
    // Sorting by a config column.
    cmp.sortBy('config:initSeed');
    cmp.sortBy('config:initSeed');
    expect(cmp.visibleRuns[0].name).toBe('initSeed=2');
    // A filter narrows the table and, with it, the chart and the diff.
    cmp.search = 'initSeed=1';
    expect(cmp.visibleRuns).toHaveLength(1);
    expect(cmp.shownRuns).toHaveLength(1);
    expect(cmp.chartSeries.map((s) => s.label)).toEqual(['initSeed=1']);
    expect(cmp.diff).toEqual([]);
    cmp.search = 'finalLoss<1.15';
    expect(cmp.shownRuns.map((r) => r.name)).toEqual(['initSeed=1', 'initSeed=0']);
    expect(cmp.diff.map((d) => d.key)).toEqual(['initSeed']);
    cmp.search = '';
    cmp.setFilter('config:initSeed', '>=1');
    expect(cmp.shownRuns.map((r) => r.name).sort()).toEqual(['initSeed=1', 'initSeed=2']);
    cmp.setFilter('config:initSeed', '');
    // Unticking a run removes it from what is shown.
    cmp.toggle(cmp.runs[0].id);
    expect(cmp.shownRuns).toHaveLength(2);
    expect(cmp.chartSeries).toHaveLength(2);
  });

  it('groups by any config field and draws x as fraction of training', async () => {
    setActivePinia(createPinia());
    const cmp = useRunsStore();
    await cmp.load([expId]);
    cmp.smoothing = 0;
    cmp.groupBy = 'initSeed';
    expect(cmp.groups.map((g) => g.label)).toEqual(['initSeed=0', 'initSeed=1', 'initSeed=2']);
    expect(cmp.chartSeries.map((s) => s.label)).toEqual([
      'initSeed=0 (n=1)',
      'initSeed=1 (n=1)',
      'initSeed=2 (n=1)',
    ]);
    cmp.groupBy = 'model.dModel';
    expect(cmp.groups).toHaveLength(1);
    expect(cmp.chartSeries[0].band).toBeDefined();
    cmp.groupBy = '';
    cmp.xAxis = 'fraction';
    await cmp.fetchSeries();
    // 200 logged steps of a 12-step spec: x is step / total steps.
    const total = cmp.runs[0].totalSteps;
    expect(cmp.chartSeries[0].x.at(-1)).toBeCloseTo(200 / total);
  });
});
