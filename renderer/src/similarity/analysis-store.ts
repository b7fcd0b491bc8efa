/**
 * Similarity analyses in progress, per experiment, from the lab's progress events — whoever
 * started them (a view, the comparison, or the lab itself when training ends) — so every view
 * shows the same progress and a view opened later still sees it.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AnalysisProgressEvent, OpInput } from '../../../src/api/contract';
import { getClient } from '../transport';

export interface AnalysisState {
  done: number;
  total: number;
  message: string;
  error: string | null;
  /** The analysis ended (successfully or not). */
  finished: boolean;
}

export type AnalyzeInput = OpInput<'analyzeExperiment'>;

export const useAnalysisStore = defineStore('analysis', () => {
  const byExperiment = ref<Record<number, AnalysisState>>({});
  const listeners = new Set<(experimentId: number, s: AnalysisState) => void>();

  function apply(e: AnalysisProgressEvent): void {
    const s: AnalysisState = {
      done: e.done,
      total: e.total,
      message: e.message,
      error: e.error,
      finished: e.done >= e.total || e.error !== null,
    };
    byExperiment.value = { ...byExperiment.value, [e.experimentId]: s };
    for (const l of listeners) l(e.experimentId, s);
  }

  async function start(input: AnalyzeInput): Promise<void> {
    byExperiment.value = {
      ...byExperiment.value,
      [input.experimentId]: { done: 0, total: 1, message: '', error: null, finished: false },
    };
    try {
      await getClient().call('analyzeExperiment', input);
    } catch (e) {
      const { [input.experimentId]: _, ...rest } = byExperiment.value;
      byExperiment.value = rest;
      throw e;
    }
  }

  const running = (id: number) => {
    const s = byExperiment.value[id];
    return !!s && !s.finished;
  };

  /** Calls `f` on every progress event; returns the unsubscribe. */
  function onProgress(f: (experimentId: number, s: AnalysisState) => void): () => void {
    listeners.add(f);
    return () => listeners.delete(f);
  }

  function forget(id: number): void {
    const { [id]: _, ...rest } = byExperiment.value;
    byExperiment.value = rest;
  }

  return { byExperiment, apply, start, running, onProgress, forget };
});
