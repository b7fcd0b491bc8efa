/**
 * Planning a training session: which runs of an experiment to train, grouped into lockstep
 * jobs. Queued runs start from step 0; interrupted runs (when resuming) continue from their last
 * checkpoint, grouped with partners that share both the lockstep key and that checkpoint step
 * so one stacked model can be rebuilt from the members' checkpoints.
 */
import type { RunRow } from '../../../db/types';
import { runLockstepKey, storedVariant } from '../spec/create';
import { trainFlopsPerToken } from '../spec/estimate';
import type { RunnerStore } from './store-types';

export interface PlannedJob {
  runIds: number[];
  /** Step the members continue from (0 = fresh start). */
  fromStep: number;
  totalSteps: number;
}

export interface PlanOptions {
  /** Also take `interrupted` runs (continue from their last checkpoints). */
  resume?: boolean;
  /** Restrict to these runs (must belong to the experiment). */
  runIds?: number[];
  /** Most members in one stacked model. */
  maxGroupSize?: number;
  /** Set false to train every run alone (no stacking). */
  lockstep?: boolean;
}

export function planJobs(
  store: RunnerStore,
  experimentId: number,
  opts: PlanOptions = {},
): PlannedJob[] {
  const max = opts.lockstep === false ? 1 : (opts.maxGroupSize ?? 16);
  const only = opts.runIds ? new Set(opts.runIds) : null;
  const candidates = store.runs
    .listByExperiment(experimentId)
    .filter((r) => !only || only.has(r.id))
    .filter((r) => r.status === 'queued' || (opts.resume && r.status === 'interrupted'));
  const groups = new Map<string, { rows: RunRow[]; fromStep: number; totalSteps: number }>();
  for (const r of candidates) {
    const v = storedVariant(r);
    const fromStep = r.status === 'interrupted' ? lastCheckpointStep(store, r.id) : 0;
    const key = `${runLockstepKey(r)}\n${fromStep}`;
    const g = groups.get(key) ?? { rows: [], fromStep, totalSteps: v.training.steps };
    g.rows.push(r);
    groups.set(key, g);
  }
  const jobs: PlannedJob[] = [];
  for (const g of groups.values())
    for (let i = 0; i < g.rows.length; i += max)
      jobs.push({
        runIds: g.rows.slice(i, i + max).map((r) => r.id),
        fromStep: g.fromStep,
        totalSteps: g.totalSteps,
      });
  return jobs.sort((a, b) => a.runIds[0] - b.runIds[0]);
}

function lastCheckpointStep(store: RunnerStore, runId: number): number {
  const list = store.checkpoints.list(runId);
  return list.length ? list[list.length - 1].step : 0;
}

/** Vocabulary assumed for ordering when the spec leaves it to the tokenizer. */
const ORDERING_VOCAB = 1024;

/** Training FLOPs a job has left: what "longest" means when the pool schedules longest first. */
function jobCost(store: RunnerStore, job: PlannedJob): number {
  const v = storedVariant(store.runs.require(job.runIds[0]));
  const m = { ...v.model, vocabSize: v.model.vocabSize ?? ORDERING_VOCAB };
  const perStep = trainFlopsPerToken(m) * v.training.batchSize * m.contextLength;
  return (job.totalSteps - job.fromStep) * job.runIds.length * perStep;
}

/** The jobs longest first (ties: by first run id), so the pool's last job is a short one. */
export function longestFirst(store: RunnerStore, jobs: PlannedJob[]): PlannedJob[] {
  const cost = new Map(jobs.map((j) => [j, jobCost(store, j)]));
  return [...jobs].sort((a, b) => cost.get(b)! - cost.get(a)! || a.runIds[0] - b.runIds[0]);
}
