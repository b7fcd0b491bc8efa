/**
 * Compare experiments (the comparison view): which experiments, the comparison settings, the
 * comparison object from the API, saved comparisons, and analyses started for experiments that
 * lack the ones a comparison reads.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Comparison, SavedComparison } from '../../../src/api/types';
import { COMPARISON_MEASURE_IDS, type OpInput } from '../../../src/api/contract';
import { getClient } from '../transport';
import type { Layout, ComparisonAxis } from './comparison-charts';

/** The measures the comparison reads; analysed on request for experiments that lack them. */
export const COMPARE_ANALYSIS: NonNullable<OpInput<'analyzeExperiment'>['measures']> = [
  ...COMPARISON_MEASURE_IDS,
];

export interface AnalysisState {
  done: number;
  total: number;
  message: string;
  error: string | null;
}

export const useComparisonStore = defineStore('comparison', () => {
  const ids = ref<number[]>([]);
  const comparison = shallowRef<Comparison | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const axis = ref<ComparisonAxis>('step');
  const metricIndex = ref(0);
  const layout = ref<Layout>('auto');
  const similarityMeasure = ref('linear-cka');
  const saved = ref<SavedComparison[]>([]);
  /** The saved comparison shown, when one was reopened (its snapshot). */
  const openedSaved = ref<SavedComparison | null>(null);
  const analyses = ref<Record<number, AnalysisState>>({});
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
      if (mine === request) comparison.value = c;
    } catch (e) {
      if (mine === request) {
        comparison.value = null;
        error.value = (e as Error).message;
      }
    } finally {
      if (mine === request) loading.value = false;
    }
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
      analyses.value = {
        ...analyses.value,
        [id]: { done: 0, total: 1, message: 'queued', error: null },
      };
      await getClient().call('analyzeExperiment', {
        experimentId: id,
        measures: [
          ...new Set([similarityMeasure.value, ...COMPARE_ANALYSIS]),
        ] as unknown as typeof COMPARE_ANALYSIS,
        steps: 'all',
      });
    }
  }

  /** Applies an analysis progress event; reloads when every started analysis has ended. */
  function onAnalysis(e: { experimentId: number } & AnalysisState): void {
    if (!(e.experimentId in analyses.value)) return;
    analyses.value = { ...analyses.value, [e.experimentId]: { ...e } };
    const all = Object.values(analyses.value);
    if (all.every((a) => a.done >= a.total)) {
      const failed = all.some((a) => a.error);
      if (!failed) analyses.value = {};
      void load();
    }
  }

  return {
    ids,
    comparison,
    loading,
    error,
    axis,
    metricIndex,
    layout,
    similarityMeasure,
    saved,
    openedSaved,
    analyses,
    needsAnalysis,
    load,
    refreshSaved,
    save,
    open,
    remove,
    exportFile,
    analyzeMissing,
    onAnalysis,
  };
});
