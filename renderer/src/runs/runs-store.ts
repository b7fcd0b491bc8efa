/**
 * Compare: which runs are selected, how curves are drawn (metric, x axis, smoothing, seed
 * groups), and the downsampled series fetched for them. Derived chart data lives here so the
 * view and the benchmark share the exact code path.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { MetricName, MetricSeries, RunSummary, XAxis } from '../../../src/api/types';
import { getClient } from '../transport';
import { smoothEma } from '../shared/smoothing';
import { groupBySeed, meanBand } from './run-groups';
import { seriesColor } from '../shared/colors';
import { configDiff } from './config-diff';
import type { ChartSeries } from '../shared/line-chart.vue';

export type SortKey = 'name' | 'status' | 'finalLoss' | 'evalLoss' | 'tokensSeen' | 'wallTimeMs';

export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<RunSummary[]>([]);
  const series = shallowRef<MetricSeries[]>([]);
  const selected = ref<Set<number>>(new Set());
  const metric = ref<MetricName>('loss');
  const xAxis = ref<XAxis>('step');
  const smoothing = ref(0.6);
  const grouped = ref(false);
  const filter = ref('');
  const sortKey = ref<SortKey>('name');
  const sortDesc = ref(false);
  // ~2 points per horizontal pixel of the chart: more would only cost redraw time (each bucket
  // keeps its min/max, drawn as the envelope when smoothing is off).
  const maxPoints = ref(600);

  async function load(experimentIds: number[]): Promise<void> {
    runs.value = await getClient().call('listRuns', { experimentIds });
    selected.value = new Set(runs.value.map((r) => r.id));
    await fetchSeries();
  }

  async function fetchSeries(): Promise<void> {
    const ids = runs.value.map((r) => r.id);
    series.value = ids.length
      ? await getClient().call('getMetrics', {
          runIds: ids,
          metric: metric.value,
          x: xAxis.value,
          maxPoints: maxPoints.value,
        })
      : [];
  }

  const visibleRuns = computed(() => {
    const f = filter.value.trim().toLowerCase();
    const list = runs.value.filter(
      (r) =>
        !f ||
        r.name.toLowerCase().includes(f) ||
        r.status.includes(f) ||
        Object.entries(r.axes).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(f)),
    );
    const key = sortKey.value;
    const dir = sortDesc.value ? -1 : 1;
    return [...list].sort((a, b) => {
      const x = a[key] ?? Infinity;
      const y = b[key] ?? Infinity;
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
  });

  const selectedRuns = computed(() => runs.value.filter((r) => selected.value.has(r.id)));

  function toggle(id: number): void {
    const s = new Set(selected.value);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    selected.value = s;
  }

  function selectAll(on: boolean): void {
    selected.value = on ? new Set(visibleRuns.value.map((r) => r.id)) : new Set();
  }

  function sortBy(k: SortKey): void {
    if (sortKey.value === k) sortDesc.value = !sortDesc.value;
    else {
      sortKey.value = k;
      sortDesc.value = false;
    }
  }

  /** The chart's series: one per selected run, or per seed group with its min–max band. */
  const chartSeries = computed<ChartSeries[]>(() => {
    const byRun = new Map(series.value.map((s) => [s.runId, s]));
    const colorOf = new Map(runs.value.map((r, i) => [r.id, seriesColor(i)]));
    const w = smoothing.value;
    if (!grouped.value) {
      const out: ChartSeries[] = [];
      for (const r of selectedRuns.value) {
        const s = byRun.get(r.id);
        if (!s) continue;
        const color = colorOf.get(r.id) ?? '#888';
        out.push({
          label: r.name,
          color,
          x: s.x,
          y: smoothEma(s.y, w),
          // The envelope of the raw values hidden by downsampling, only when it is visible.
          band: s.rawCount > s.x.length && w === 0 ? { min: s.min, max: s.max } : undefined,
        });
      }
      return out;
    }
    return groupBySeed(selectedRuns.value).map((g, i) => {
      const curves = g.runs
        .map((r) => byRun.get(r.id))
        .filter((s): s is MetricSeries => !!s)
        .map((s) => ({ x: s.x, y: smoothEma(s.y, w) }));
      const band = meanBand(curves);
      return {
        label: `${g.label} (n=${g.runs.length})`,
        color: seriesColor(i),
        x: band.x,
        y: band.mean,
        band: g.runs.length > 1 ? { min: band.min, max: band.max } : undefined,
      };
    });
  });

  const diff = computed(() => configDiff(selectedRuns.value));

  return {
    runs,
    series,
    selected,
    metric,
    xAxis,
    smoothing,
    grouped,
    filter,
    sortKey,
    sortDesc,
    maxPoints,
    load,
    fetchSeries,
    visibleRuns,
    selectedRuns,
    toggle,
    selectAll,
    sortBy,
    chartSeries,
    diff,
  };
});
