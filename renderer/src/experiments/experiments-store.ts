/**
 * The experiments list, kept current by progress events. Thin: state plus calls to the API;
 * views own their presentation.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabEvent } from '../../../src/api/contract';
import type { ExperimentSummary } from '../../../src/api/types';
import { getClient } from '../transport';

export const useExperimentsStore = defineStore('experiments', () => {
  const list = ref<ExperimentSummary[]>([]);
  const loading = ref(false);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      list.value = await getClient().call('listExperiments', {});
    } finally {
      loading.value = false;
    }
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

  /** Applies a pushed event to the list. */
  function apply(e: LabEvent): void {
    if (e.type === 'run.progress') {
      const x = list.value.find((x) => x.id === e.experimentId);
      if (x) {
        x.tokensPerSec = e.tokensPerSec;
        x.etaSec = e.etaSec;
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
    loading,
    refresh,
    rename,
    annotate,
    remove,
    duplicate,
    apply,
  };
});
