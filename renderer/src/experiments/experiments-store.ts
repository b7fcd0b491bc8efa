/**
 * The experiments list and the runs of the open experiment, kept current by progress events.
 * Thin: state plus calls to the API; views own their presentation.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabEvent } from '../../../src/api/contract';
import type { ExperimentSummary, RunSummary } from '../../../src/api/types';
import { getClient } from '../transport';

/** Live loss points per run, appended from progress events (bounded). */
export interface LivePoints {
  step: number[];
  loss: number[];
}

const LIVE_LIMIT = 5000;

export const useExperimentsStore = defineStore('experiments', () => {
  const list = ref<ExperimentSummary[]>([]);
  const runs = ref<RunSummary[]>([]);
  const runsOf = ref<number | null>(null);
  const live = ref<Record<number, LivePoints>>({});
  const loading = ref(false);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      list.value = await getClient().call('listExperiments', {});
    } finally {
      loading.value = false;
    }
  }

  async function loadRuns(experimentId: number): Promise<void> {
    const result = await getClient().call('listRuns', { experimentIds: [experimentId] });
    if (runsOf.value !== experimentId) live.value = {};
    runsOf.value = experimentId;
    runs.value = result;
  }

  async function rename(id: number, name: string) {
    await getClient().call('renameExperiment', { id, name });
    await refresh();
  }
  async function annotate(id: number, notes: string) {
    await getClient().call('annotateExperiment', { id, notes });
    await refresh();
  }
  async function remove(id: number) {
    await getClient().call('deleteExperiment', { id });
    await refresh();
  }
  async function duplicate(id: number) {
    const copy = await getClient().call('duplicateExperiment', { id });
    await refresh();
    return copy;
  }

  /** Applies a pushed event to the list, the open runs and the live curves. */
  function apply(e: LabEvent): void {
    if (e.type === 'run.progress') {
      const r = runs.value.find((x) => x.id === e.runId);
      if (r) {
        r.step = e.step;
        r.totalSteps = e.totalSteps;
        r.finalLoss = e.loss;
        r.tokensPerSec = e.tokensPerSec;
        r.etaSec = e.etaSec;
        r.tokensSeen = e.tokensSeen;
        r.wallTimeMs = e.wallTimeMs;
        if (r.status === 'queued') r.status = 'running';
      }
      if (runsOf.value === e.experimentId) {
        const pts = (live.value[e.runId] ??= { step: [], loss: [] });
        if (pts.step.length === 0 || e.step > pts.step[pts.step.length - 1]) {
          pts.step.push(e.step);
          pts.loss.push(e.loss);
          if (pts.step.length > LIVE_LIMIT) {
            pts.step.splice(0, pts.step.length - LIVE_LIMIT);
            pts.loss.splice(0, pts.loss.length - LIVE_LIMIT);
          }
        }
      }
      const x = list.value.find((x) => x.id === e.experimentId);
      if (x) {
        x.tokensPerSec = e.tokensPerSec;
        x.etaSec = e.etaSec;
      }
    } else if (e.type === 'run.status') {
      const r = runs.value.find((x) => x.id === e.runId);
      if (r) {
        r.status = e.status;
        r.error = e.error;
      }
    } else if (e.type === 'experiment.status') {
      const x = list.value.find((x) => x.id === e.experimentId);
      if (x) {
        x.status = e.status;
        x.progress = e.progress;
        if (e.status !== 'running') {
          x.tokensPerSec = null;
          x.etaSec = null;
        }
      }
    }
  }

  return {
    list,
    runs,
    runsOf,
    live,
    loading,
    refresh,
    loadRuns,
    rename,
    annotate,
    remove,
    duplicate,
    apply,
  };
});
