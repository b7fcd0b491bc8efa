/**
 * Creating an experiment in the store: validate the spec, store it, and create one queued run
 * per variant with its full resolved config. The variant JSON records the lockstep key, so the
 * runner (or a later `resume`) can regroup runs without re-expanding the spec.
 */
import type { ExperimentRow, JsonObject, RunRow } from '../../../db/types';
import { parseSpec } from './parse-spec';
import type { ExperimentSpec } from './spec';
import type { RunnerStore } from '../execution/store-types';
import { lockstepKey, type Variant } from './variants';

/** Runs with equal keys can train in one stacked model (everything equal but the init seed). */
export function runLockstepKey(run: RunRow): string {
  const v = storedVariant(run);
  return lockstepKey({ ...v, name: run.name, initSeed: run.initSeed, dataSeed: run.dataSeed });
}

/** What a run row's `variant` JSON holds. */
export interface StoredVariant {
  index: number;
  axes: Variant['axes'];
  model: Variant['model'];
  training: Variant['training'];
}

/** A checkpoint a fine-tune run starts from; `runUid` is kept in the variant as provenance. */
export interface ParentCheckpoint {
  runId: number;
  runUid: string;
  step: number;
}

export interface CreateOptions {
  /**
   * Fine-tuning: the checkpoint each variant starts from (null = its own random init). The
   * link is stored in the run's parent columns; the training worker loads those weights.
   */
  parentFor?: (v: Variant) => ParentCheckpoint | null;
}

export interface CreatedExperiment {
  experiment: ExperimentRow;
  runs: RunRow[];
  spec: ExperimentSpec;
  variants: Variant[];
}

/**
 * Validates `specInput` (throws `SpecValidationError`) and creates the experiment and its
 * queued runs in one transaction.
 */
export function createExperiment(
  store: RunnerStore & { transaction?: <T>(fn: () => T) => T },
  specInput: unknown,
  opts: CreateOptions = {},
): CreatedExperiment {
  const { spec, variants } = parseSpec(specInput);
  const write = () => {
    const experiment = store.experiments.create({
      name: spec.name,
      notes: spec.notes,
      spec: JSON.parse(JSON.stringify(spec)) as JsonObject,
    });
    const runs = variants.map((v) => {
      const parent = opts.parentFor?.(v) ?? null;
      return store.runs.create({
        experimentId: experiment.id,
        name: v.name,
        variant: { ...toStoredVariant(v), ...(parent ? { parent } : {}) } as unknown as JsonObject,
        initSeed: v.initSeed,
        dataSeed: v.dataSeed,
        parent: parent && { runId: parent.runId, step: parent.step },
      });
    });
    return { experiment, runs };
  };
  const { experiment, runs } = store.transaction ? store.transaction(write) : write();
  return { experiment, runs, spec, variants };
}

export function toStoredVariant(v: Variant): StoredVariant {
  return {
    index: v.index,
    axes: v.axes,
    model: v.model,
    training: v.training,
  };
}

/** Reads a run's stored variant back. */
export function storedVariant(run: RunRow): StoredVariant {
  return run.variant as unknown as StoredVariant;
}
