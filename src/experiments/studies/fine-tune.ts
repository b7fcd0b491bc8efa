/**
 * Fine-tuning as a run kind: an experiment whose runs (some or all) start from another run's
 * checkpoint. The parent is recorded in the run's variant JSON (`variant.parent`; the store has
 * no parent column yet) and read by the training worker (worker/parent-init.ts), which loads the
 * parent's weights before the first step. Training, checkpoints, resume and export work as for
 * any run; a resumed fine-tune run continues from its own checkpoints.
 */
import type { JsonObject } from '../../../db/types';
import type { CreatedExperiment } from '../spec/create';
import { toStoredVariant } from '../spec/create';
import { parseSpec } from '../spec/parse-spec';
import type { RunnerStore } from '../execution/store-types';
import type { Variant } from '../spec/variants';
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

/**
 * Validates `specInput` and creates its experiment; every variant for which `parentFor`
 * returns a parent becomes a fine-tune run of that checkpoint (its name prefixed `finetune`),
 * the others train from scratch (prefixed `scratch`).
 */
export function createFineTuneExperiment(
  store: RunnerStore & { transaction?: <T>(fn: () => T) => T },
  specInput: unknown,
  parentFor: (v: Variant) => ParentRef | null,
): CreatedExperiment {
  const { spec, variants } = parseSpec(specInput);
  const write = () => {
    const experiment = store.experiments.create({
      name: spec.name,
      notes: spec.notes,
      spec: JSON.parse(JSON.stringify(spec)) as JsonObject,
    });
    const runs = variants.map((v) => {
      const parent = parentFor(v);
      return store.runs.create({
        experimentId: experiment.id,
        name: `${parent ? 'finetune' : 'scratch'} ${v.name}`,
        variant: { ...toStoredVariant(v), ...(parent ? { parent } : {}) } as unknown as JsonObject,
        initSeed: v.initSeed,
        dataSeed: v.dataSeed,
      });
    });
    return { experiment, runs };
  };
  const { experiment, runs } = store.transaction ? store.transaction(write) : write();
  return { experiment, runs, spec, variants };
}
