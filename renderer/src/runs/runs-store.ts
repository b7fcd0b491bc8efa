/**
 * The runs table of an experiment: every run with its facts and hyperparameters; columns to
 * show, sort and per-column filters; the search box; the runs ticked. What is shown — filtered
 * and ticked — drives everything else: the curves (metric, x axis, smoothing, log scale,
 * grouped by seeds or by any config field with a mean and min–max band), the counter and the
 * config diff. Derived chart data lives here so the view and the benchmark share one path.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { MetricName, MetricSeries, RunSummary } from '../../../src/api/types';
import { getClient } from '../transport';
import { smoothEma } from '../shared/smoothing';
import { asFraction, type CurveAxis } from '../shared/chart-axes';
import { ALL_SEEDS, groupByField, groupBySeed, meanBand, varyingKeys } from './run-groups';
import { t } from '../i18n';
import { seriesColor } from '../shared/colors';
import { configDiff } from './config-diff';
import {
  allColumns,
  compareBy,
  configColumn,
  defaultFacts,
  matchesColumn,
  matchesSearch,
  type RunColumn,
} from './run-columns';
import type { ChartSeries } from '../shared/line-chart.vue';

/** '' = no groups, 'seeds' = seed groups, or a config field path. */
export type GroupBy = '' | 'seeds' | string;

const COLUMNS_KEY = 'homolab.runs.columns';

export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<RunSummary[]>([]);
  const series = shallowRef<MetricSeries[]>([]);
  const selected = ref<Set<number>>(new Set());
  const metric = ref<MetricName>('loss');
  const xAxis = ref<CurveAxis>('step');
  const smoothing = ref(0.6);
  const logY = ref(false);
  const groupBy = ref<GroupBy>('');
  const search = ref('');
  /** Per-column filter text, by column id. */
  const filters = ref<Record<string, string>>({});
  const sortKey = ref('name');
  const sortDesc = ref(false);
  /** Columns the user picked (ids); null until they pick: facts + varying config fields. */
  const picked = ref<string[] | null>(readPicked());
  // ~2 points per horizontal pixel of the chart: more would only cost redraw time (each bucket
  // keeps its min/max, drawn as the envelope when smoothing is off).
  const maxPoints = ref(600);

  async function load(experimentIds: number[]): Promise<void> {
    runs.value = await getClient().call('listRuns', { experimentIds });
    selected.value = new Set(runs.value.map((r) => r.id));
    await fetchSeries();
  }

  /** Re-reads the runs (after tags or notes changed), keeping the selection. */
  async function refreshRuns(): Promise<void> {
    const ids = [...new Set(runs.value.map((r) => r.experimentId))];
    if (ids.length) runs.value = await getClient().call('listRuns', { experimentIds: ids });
  }

  async function fetchSeries(): Promise<void> {
    const ids = runs.value.map((r) => r.id);
    series.value = ids.length
      ? await getClient().call('getMetrics', {
          runIds: ids,
          metric: metric.value,
          // Fraction of training is step / total steps, computed here.
          x: xAxis.value === 'fraction' ? 'step' : xAxis.value,
          maxPoints: maxPoints.value,
        })
      : [];
  }

  const columns = computed(() => allColumns(runs.value));
  const columnById = computed(() => new Map(columns.value.map((c) => [c.id, c])));
  const shownColumns = computed<RunColumn[]>(() => {
    const ids = picked.value ?? [
      ...defaultFacts(runs.value),
      ...[...varyingKeys(runs.value.map((r) => r.config))].sort().map((k) => `config:${k}`),
    ];
    return ids
      .map(
        (id) =>
          columnById.value.get(id) ?? (id.startsWith('config:') ? configColumn(id.slice(7)) : null),
      )
      .filter((c): c is RunColumn => !!c);
  });

  function setColumns(ids: string[] | null): void {
    picked.value = ids;
    if (ids) globalThis.localStorage?.setItem(COLUMNS_KEY, JSON.stringify(ids));
    else globalThis.localStorage?.removeItem(COLUMNS_KEY);
  }
  function toggleColumn(id: string): void {
    const cur = shownColumns.value.map((c) => c.id);
    setColumns(cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id]);
  }

  /** The runs passing the search and every column filter, sorted. */
  const visibleRuns = computed(() => {
    const cols = columns.value;
    const active = Object.entries(filters.value).filter(([, f]) => f.trim());
    const list = runs.value.filter(
      (r) =>
        matchesSearch(r, cols, search.value) &&
        active.every(([id, f]) => {
          const col = columnById.value.get(id);
          return !col || matchesColumn(r, col, f);
        }),
    );
    const col = columnById.value.get(sortKey.value);
    return col ? [...list].sort(compareBy(col, sortDesc.value)) : list;
  });

  /** What the chart, the counter and the diff show: visible and ticked. */
  const shownRuns = computed(() => visibleRuns.value.filter((r) => selected.value.has(r.id)));

  function toggle(id: number): void {
    const s = new Set(selected.value);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    selected.value = s;
  }

  function selectAll(on: boolean): void {
    const s = new Set(selected.value);
    for (const r of visibleRuns.value)
      if (on) s.add(r.id);
      else s.delete(r.id);
    selected.value = s;
  }

  function sortBy(k: string): void {
    if (sortKey.value === k) sortDesc.value = !sortDesc.value;
    else {
      sortKey.value = k;
      sortDesc.value = false;
    }
  }

  /** Clears search, column filters and groups (e.g. for another experiment). */
  function resetView(): void {
    search.value = '';
    filters.value = {};
    groupBy.value = '';
  }

  function setFilter(id: string, text: string): void {
    filters.value = { ...filters.value, [id]: text };
  }

  /** Groups of the shown runs (none when not grouping). */
  const groups = computed(() => {
    const g = groupBy.value;
    if (!g) return [];
    return g === 'seeds' ? groupBySeed(shownRuns.value) : groupByField(shownRuns.value, g);
  });

  const place = (r: RunSummary | undefined, x: number[]) =>
    xAxis.value === 'fraction' && r ? asFraction(x, r.totalSteps) : x;

  /** The chart's series: one per shown run, or per group with its min–max band. */
  const chartSeries = computed<ChartSeries[]>(() => {
    const byRun = new Map(series.value.map((s) => [s.runId, s]));
    const colorOf = new Map(runs.value.map((r, i) => [r.id, seriesColor(i)]));
    const w = smoothing.value;
    if (!groupBy.value) {
      const out: ChartSeries[] = [];
      for (const r of shownRuns.value) {
        const s = byRun.get(r.id);
        if (!s) continue;
        out.push({
          label: r.name,
          color: colorOf.get(r.id) ?? '#888',
          x: place(r, s.x),
          y: smoothEma(s.y, w),
          // The envelope of the raw values hidden by downsampling, only when it is visible.
          band: s.rawCount > s.x.length && w === 0 ? { min: s.min, max: s.max } : undefined,
        });
      }
      return out;
    }
    return groups.value.map((g, i) => {
      const curves = g.runs
        .map((r) => ({ r, s: byRun.get(r.id) }))
        .filter((c): c is { r: RunSummary; s: MetricSeries } => !!c.s)
        .map(({ r, s }) => ({ x: place(r, s.x), y: smoothEma(s.y, w) }));
      const band = meanBand(curves);
      return {
        label: `${g.label === ALL_SEEDS ? t('runs.allSeeds') : g.label} (n=${g.runs.length})`,
        color: seriesColor(i),
        x: band.x,
        y: band.mean,
        band: g.runs.length > 1 ? { min: band.min, max: band.max } : undefined,
      };
    });
  });

  const diff = computed(() => configDiff(shownRuns.value));

  return {
    runs,
    series,
    selected,
    metric,
    xAxis,
    smoothing,
    logY,
    groupBy,
    search,
    filters,
    sortKey,
    sortDesc,
    maxPoints,
    columns,
    shownColumns,
    load,
    refreshRuns,
    fetchSeries,
    visibleRuns,
    shownRuns,
    groups,
    toggle,
    selectAll,
    sortBy,
    setFilter,
    resetView,
    setColumns,
    toggleColumn,
    chartSeries,
    diff,
  };
});

function readPicked(): string[] | null {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(COLUMNS_KEY) ?? 'null') as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
  } catch {
    return null;
  }
}
