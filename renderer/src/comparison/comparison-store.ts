/**
 * Compare experiments (the comparison view): which experiments, the comparison settings, the
 * comparison object from the API, saved comparisons, and analyses started for experiments that
 * lack the ones a comparison reads.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Comparison, MetricName, SavedComparison } from '../../../src/api/types';
import { COMPARISON_MEASURE_IDS, type OpInput } from '../../../src/api/contract';
import { getClient } from '../transport';
import type { Layout, RunCurve } from './comparison-charts';
import type { AxesChoice, CurveAxis } from '../shared/chart-axes';
import { useAnalysisStore } from '../similarity/analysis-store';

/** The measures the comparison reads; analysed on request for experiments that lack them. */
export const COMPARE_ANALYSIS: NonNullable<OpInput<'analyzeExperiment'>['measures']> = [
  ...COMPARISON_MEASURE_IDS,
];

/** The API's metric for a stored metric name ('eval_loss' is the eval loss). */
const apiMetric = (name: string): MetricName | null =>
  name === 'loss' ? 'loss' : name === 'evalLoss' || name === 'eval_loss' ? 'evalLoss' : null;

export const useComparisonStore = defineStore('comparison', () => {
  const ids = ref<number[]>([]);
  const comparison = shallowRef<Comparison | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const axis = ref<CurveAxis>('step');
  const metricIndex = ref(0);
  const layout = ref<Layout>('auto');
  const axes = ref<AxesChoice>('auto');
  const logY = ref(false);
  /** Each run's curve of the chosen metric on the chosen axis (fraction: by step). */
  const curves = shallowRef<Map<number, RunCurve>>(new Map());
  /** Experiments whose analysis this view started and waits for. */
  const waiting = ref<number[]>([]);
  const analysis = useAnalysisStore();
  const similarityMeasure = ref('linear-cka');
  const saved = ref<SavedComparison[]>([]);
  /** The saved comparison shown, when one was reopened (its snapshot). */
  const openedSaved = ref<SavedComparison | null>(null);
  let request = 0;

  const options = computed(() => ({ similarityMeasure: similarityMeasure.value }));

  /**
   * Experiments lacking a stored analysis the comparison reads (profile, output measures,
   * trajectory). Limits that analysing cannot lift (e.g. H has no interval) do not count.
   */
  const needsAnalysis = computed(() =>
    (comparison.value?.experiments ?? [])
      .filter(
        (e) =>
          !e.profile ||
          !e.trajectory ||
          !e.outputs ||
          COMPARE_ANALYSIS.some((m) => m !== 'linear-cka' && e.outputs![m as 'jsd'] === null),
      )
      .map((e) => e.experimentId),
  );

  async function load(experimentIds: number[] = ids.value): Promise<void> {
    ids.value = [...experimentIds];
    openedSaved.value = null;
    const mine = ++request;
    if (!experimentIds.length) {
      comparison.value = null;
      return;
    }
    loading.value = true;
    error.value = null;
    try {
      const c = await getClient().call('compareExperiments', {
        experimentIds,
        options: options.value,
      });
      if (mine === request) {
        comparison.value = c;
        await fetchCurves();
      }
    } catch (e) {
      if (mine === request) {
        comparison.value = null;
        error.value = (e as Error).message;
      }
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  /** The runs' curves behind the seed-group bands, at each run's own resolution. */
  async function fetchCurves(): Promise<void> {
    const c = comparison.value;
    const metric = apiMetric(c?.settings.metrics[metricIndex.value] ?? 'loss');
    const runIds = (c?.experiments ?? []).flatMap((e) => e.seedGroups.flatMap((g) => g.runIds));
    if (!c || !metric || !runIds.length) {
      curves.value = new Map();
      return;
    }
    const series = await getClient().call('getMetrics', {
      runIds,
      metric,
      x: axis.value === 'fraction' ? 'step' : axis.value,
      maxPoints: 400,
    });
    curves.value = new Map(series.map((s) => [s.runId, { x: s.x, y: s.y }]));
  }

  async function refreshSaved(): Promise<void> {
    saved.value = await getClient().call('listComparisons', {});
  }

  async function save(name: string): Promise<SavedComparison> {
    const s = await getClient().call('saveComparison', {
      name,
      experimentIds: ids.value,
      options: options.value,
      replace: true,
    });
    await refreshSaved();
    openedSaved.value = s;
    return s;
  }

  /** Reopens a saved comparison as saved (its snapshot). */
  async function open(id: number): Promise<number[]> {
    const o = await getClient().call('openComparison', { id });
    request++;
    ids.value = o.comparison.experimentIds;
    comparison.value = o.comparison;
    openedSaved.value = o.saved;
    error.value = null;
    await fetchCurves().catch(() => (curves.value = new Map()));
    return o.comparison.experimentIds;
  }

  async function remove(id: number): Promise<void> {
    await getClient().call('deleteComparison', { id });
    if (openedSaved.value?.id === id) openedSaved.value = null;
    await refreshSaved();
  }

  /** The comparison as a file: CSV summary, standalone HTML report or JSON. */
  function exportFile(format: 'csv' | 'html' | 'json') {
    const s = openedSaved.value;
    return getClient().call(
      'exportComparison',
      s
        ? { format, savedId: s.id, title: s.name }
        : { format, experimentIds: ids.value, options: options.value },
    );
  }

  /** Starts the analyses the comparison needs for every experiment lacking them. */
  async function analyzeMissing(): Promise<void> {
    for (const id of needsAnalysis.value) {
      if (analysis.running(id)) continue;
      waiting.value = [...new Set([...waiting.value, id])];
      await analysis.start({
        experimentId: id,
        measures: [
          ...new Set([similarityMeasure.value, ...COMPARE_ANALYSIS]),
        ] as unknown as typeof COMPARE_ANALYSIS,
        steps: 'all',
      });
    }
  }

  // Reload once every analysis this view waits for has ended (whoever started it).
  analysis.onProgress(() => {
    if (!waiting.value.length) return;
    const states = waiting.value.map((id) => analysis.byExperiment[id]);
    if (states.every((st) => st?.finished)) {
      waiting.value = [];
      void load();
    }
  });

  return {
    ids,
    comparison,
    loading,
    error,
    axis,
    metricIndex,
    layout,
    axes,
    logY,
    curves,
    waiting,
    fetchCurves,
    similarityMeasure,
    saved,
    openedSaved,
    needsAnalysis,
    load,
    refreshSaved,
    save,
    open,
    remove,
    exportFile,
    analyzeMissing,
  };
});
