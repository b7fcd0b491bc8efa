/**
 * Fine-tuning lineage: a run can start from another run's checkpoint. The link is data — the
 * run's `parent_run_id` / `parent_step` columns (schema v3), written by `createExperiment(store,
 * spec, { parentFor })` — and the training worker (worker/parent-init.ts) loads the parent's
 * weights before the first step. `homolab run --from run-N[@step]` and the API's
 * createExperiment `from` use the same path.
 */
import type { RunnerStore } from '../execution/store-types';
import { parentOf, type ParentRef } from '../execution/worker/parent-init';

export type { ParentRef };
export { parentOf };

/** The parent checkpoint of a run: `run` at `step` (default: its last checkpoint). */
export function parentRef(store: RunnerStore, runId: number, step?: number): ParentRef {
  const run = store.runs.require(runId);
  const steps = store.checkpoints.list(runId).map((c) => c.step);
  const at = step ?? steps[steps.length - 1];
  if (at === undefined || !steps.includes(at))
    throw new Error(
      `run ${runId} has no checkpoint${step === undefined ? '' : ` at step ${step}`}; checkpoints: ${steps.join(', ') || 'none'}`,
    );
  return { runId, runUid: run.uid, step: at };
}
