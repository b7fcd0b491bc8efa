/** The Compare store over a real lab: runs, series, seed groups, smoothing, sorting, filter. */
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

describe('compare store', () => {
  it('loads runs and series, then groups seeds into one mean curve with a band', async () => {
    setActivePinia(createPinia());
    const cmp = useRunsStore();
    await cmp.load([expId]);
    expect(cmp.runs).toHaveLength(3);
    cmp.smoothing = 0;
    expect(cmp.chartSeries).toHaveLength(3);
    expect(cmp.chartSeries[0].x).toHaveLength(200);
    cmp.grouped = true;
    expect(cmp.chartSeries).toHaveLength(1);
    const g = cmp.chartSeries[0];
    expect(g.label).toContain('n=3');
    expect(g.band!.min[0]).toBeCloseTo(3);
    expect(g.band!.max[0]).toBeCloseTo(3.2);
    expect(g.y[0]).toBeCloseTo(3.1);
  });

  it('smooths, sorts, filters and diffs the selection', async () => {
    setActivePinia(createPinia());
    const cmp = useRunsStore();
    await cmp.load([expId]);
    cmp.smoothing = 0;
    const raw = cmp.chartSeries[0].y.slice();
    cmp.smoothing = 0.9;
    expect(cmp.chartSeries[0].y).not.toEqual(raw);
    cmp.sortBy('name'); // already sorted by name: flips to descending
    expect(cmp.visibleRuns.map((r) => r.name)).toEqual(['initSeed=2', 'initSeed=1', 'initSeed=0']);
    cmp.filter = 'initSeed=1';
    expect(cmp.visibleRuns).toHaveLength(1);
    expect(cmp.diff.map((d) => d.key)).toEqual(['initSeed']);
    cmp.toggle(cmp.runs[0].id);
    expect(cmp.selectedRuns).toHaveLength(2);
  });
});
