/**
 * Live training of the open experiment: its runs (kept current by progress events), the loss
 * and eval-loss points that arrived since the stored history was read, and the controls'
 * state. Thin: state plus calls to the API.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LabEvent } from '../../../src/api/contract';
import type { RunSummary } from '../../../src/api/types';
import { getClient } from '../transport';
import { useExperimentsStore } from '../experiments/experiments-store';

/** Live points per run, appended from progress events (bounded). */
export interface LivePoints {
  step: number[];
  loss: number[];
  evalStep: number[];
  evalLoss: number[];
}

const LIVE_LIMIT = 5000;
const trim = (...arrays: number[][]) => {
  for (const a of arrays) if (a.length > LIVE_LIMIT) a.splice(0, a.length - LIVE_LIMIT);
};

export const useLiveStore = defineStore('live', () => {
  const runs = ref<RunSummary[]>([]);
  const runsOf = ref<number | null>(null);
  const live = ref<Record<number, LivePoints>>({});

  async function loadRuns(experimentId: number): Promise<void> {
    const result = await getClient().call('listRuns', { experimentIds: [experimentId] });
    if (runsOf.value !== experimentId) live.value = {};
    runsOf.value = experimentId;
    runs.value = result;
  }

  const experiments = useExperimentsStore();
  const has = (...statuses: RunSummary['status'][]) =>
    runs.value.some((r) => statuses.includes(r.status));
  /** Training or waiting to: what Pause and Cancel act on. */
  const anyActive = computed(() => has('running', 'queued'));
  /** Paused: a run says so, or the experiment does (paused before its runs started). */
  const anyPaused = computed(
    () => has('paused') || experiments.list.find((e) => e.id === runsOf.value)?.status === 'paused',
  );
  /** The toolbar: Pause while training or queued (a queued one is held), Resume when paused or
   *  interrupted (never while it trains), Cancel while anything is unfinished. */
  const canPause = computed(() => anyActive.value && !anyPaused.value);
  const canResume = computed(() => anyPaused.value || has('interrupted'));
  const canCancel = computed(() => has('running', 'queued', 'paused'));

  async function control(op: 'pauseRuns' | 'resumeRuns' | 'cancelRuns', runIds?: number[]) {
    const id = runsOf.value;
    if (!id) return;
    await getClient().call(op, { experimentId: id, runIds });
    await loadRuns(id);
  }

  /** Applies a pushed event to the open runs and the live curves. */
  function apply(e: LabEvent): void {
    if (e.type === 'run.progress') {
      const r = runs.value.find((x) => x.id === e.runId);
      if (r) {
        r.step = e.step;
        r.totalSteps = e.totalSteps;
        r.finalLoss = e.loss;
        if (Number.isFinite(e.loss)) r.bestLoss = Math.min(r.bestLoss ?? Infinity, e.loss);
        if (e.evalLoss !== null) r.evalLoss = e.evalLoss;
        r.tokensPerSec = e.tokensPerSec;
        r.etaSec = e.etaSec;
        r.tokensSeen = e.tokensSeen;
        r.wallTimeMs = e.wallTimeMs;
        r.meanTokensPerSec = e.wallTimeMs > 0 ? e.tokensSeen / (e.wallTimeMs / 1000) : null;
        if (r.status === 'queued') {
          r.status = 'running';
          r.waitReason = null;
        }
      }
      if (runsOf.value === e.experimentId) {
        const pts = (live.value[e.runId] ??= { step: [], loss: [], evalStep: [], evalLoss: [] });
        if (pts.step.length === 0 || e.step > pts.step[pts.step.length - 1]) {
          pts.step.push(e.step);
          pts.loss.push(e.loss);
          if (e.evalLoss !== null) {
            pts.evalStep.push(e.step);
            pts.evalLoss.push(e.evalLoss);
          }
          trim(pts.step, pts.loss, pts.evalStep, pts.evalLoss);
        }
      }
    } else if (e.type === 'run.status') {
      const r = runs.value.find((x) => x.id === e.runId);
      if (r) {
        r.status = e.status;
        r.error = e.error;
      }
    }
  }

  return {
    runs,
    runsOf,
    live,
    anyActive,
    anyPaused,
    canPause,
    canResume,
    canCancel,
    loadRuns,
    control,
    apply,
  };
});
