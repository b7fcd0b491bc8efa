/** Experiment operations: list, get, estimate, create, rename, annotate, delete, duplicate, start. */
import type { JsonObject, RunRow } from '../../../db/types';
import { createExperiment } from '../../experiments/spec/create';
import { parentRef, type ParentRef } from '../../experiments/studies/fine-tune';
import { countParameters, type BackendName } from '../../experiments/spec/estimate';
import { checkSpec } from '../../experiments/spec/parse-spec';
import { groupLockstep, type Variant } from '../../experiments/spec/variants';
import {
  costGate,
  CostGateError,
  enforceCostGate,
  UI_CONFIRM_SECONDS,
  variantsOfRuns,
} from '../../experiments/spec/cost-gate';
import { keptCheckpointBytes } from '../../experiments/spec/retention';
import type { ExperimentSpec } from '../../experiments/spec/spec';
import { storeDiskUsage } from '../../../db/disk-usage';
import { buildDataset } from '../../core/data/build-dataset';
import type { Handlers } from '../dispatcher';
import { ApiFailure, notFound } from '../errors';
import type { LabContext } from '../lab-context';
import { experimentSummary, runSummary } from '../summaries';

/** Validates a spec with the runner's schema; throws invalid_input naming each bad field. */
export function validSpec(input: unknown) {
  const r = checkSpec(input);
  if (!r.ok)
    throw new ApiFailure(
      'invalid_input',
      `Invalid experiment spec: ${r.issues.map((i) => `${i.path || '(spec)'}: ${i.message}`).join('; ')}`,
      r.issues.map((i) => ({ ...i, path: i.path ? `spec.${i.path}` : 'spec' })),
    );
  return r;
}

/**
 * Runs the store says are running belong to a live process (opening the store marked those of
 * dead owners interrupted): another app, serve or CLI on the same file trains them.
 */
export function refuseIfTrainingElsewhere(runs: readonly RunRow[], then = '') {
  const busy = runs.find((r) => r.status === 'running');
  if (busy)
    throw new ApiFailure(
      'conflict',
      `Run ${busy.id} is training in another process${busy.ownerPid ? ` (pid ${busy.ownerPid})` : ''}; ` +
        `cancel it there${then}.`,
    );
}

function requireExperiment(ctx: LabContext, id: number) {
  const row = ctx.store.experiments.get(id);
  if (!row) throw notFound('Experiment', String(id));
  return row;
}

/** Starts (queues) an experiment's runs in the background; outcome arrives as events. */
export function startTraining(
  ctx: LabContext,
  id: number,
  opts: { resume?: boolean; runIds?: number[] } = {},
) {
  if (ctx.lab.trainingState(id))
    throw new ApiFailure('conflict', 'This experiment is already training or queued.');
  ctx.lab
    .train(id, opts)
    .catch((err) => ctx.log(`homolab: experiment ${id} failed: ${String(err)}`));
  ctx.events.emit({ type: 'experiments.changed' });
}

/** Vocabulary sizes by dataset spec: building a dataset to learn it is not free. */
const vocabCache = new Map<string, number>();
export async function vocabSizeOf(dataset: unknown): Promise<number> {
  const key = JSON.stringify(dataset);
  let v = vocabCache.get(key);
  if (v === undefined) {
    try {
      v = (await buildDataset(dataset)).vocabSize;
    } catch (err) {
      throw new ApiFailure('invalid_input', `dataset: ${(err as Error).message}`, [
        { path: 'spec.dataset', message: (err as Error).message },
      ]);
    }
    if (vocabCache.size > 16) vocabCache.clear();
    vocabCache.set(key, v);
  }
  return v;
}

const BACKENDS = new Set<string>(['cpu', 'wasm', 'webgpu', 'tensorflow']);

const gateBackend = (b: string | undefined) =>
  (b && BACKENDS.has(b) ? b : 'auto') as BackendName | 'auto';

/**
 * The cost gate (src/experiments/spec/cost-gate.ts) for `variants`: refuses (422
 * over_capacity) a job this machine cannot hold and asks (422 needs_confirmation) before a
 * costly one unless `confirmCost`, naming the fields to change. Nothing is stored before.
 */
function checkCost(
  variants: Variant[],
  vocab: number,
  backend: string | undefined,
  confirmCost: boolean,
  maxGroupSize?: number,
): void {
  if (!variants.length) return;
  try {
    enforceCostGate(
      costGate({ variants, vocabSize: vocab, backend: gateBackend(backend), maxGroupSize }),
      confirmCost,
    );
  } catch (err) {
    if (!(err instanceof CostGateError)) throw err;
    throw new ApiFailure(err.kind, err.message, err.verdict.issues);
  }
}

/**
 * The gate for an experiment's stored runs about to start or resume (`runIds`: only those).
 * A resume passes `confirmCost`: its cost was accepted when the experiment was created, but a
 * run that cannot fit (stored before the limits) is still refused instead of repeating an OOM.
 */
export async function checkRunsFit(
  ctx: LabContext,
  experimentId: number,
  opts: { runIds?: number[]; confirmCost: boolean },
): Promise<void> {
  const row = requireExperiment(ctx, experimentId);
  const runs = ctx.store.runs
    .listByExperiment(experimentId)
    .filter((r) => !opts.runIds || opts.runIds.includes(r.id));
  const variants = variantsOfRuns(runs);
  const given = variants.find((v) => v.model.vocabSize !== undefined)?.model.vocabSize;
  const dataset = (row.spec as { dataset?: unknown }).dataset;
  let vocab = given ?? 0;
  // A dataset that does not build is the worker's to report.
  if (given === undefined && dataset) vocab = await vocabSizeOf(dataset).catch(() => 0);
  checkCost(variants, vocab, ctx.lab.backend, opts.confirmCost, ctx.lab.maxGroupSize);
}

/** Bytes of the checkpoints `variants` will keep. */
function checkpointBytes(
  spec: Pick<ExperimentSpec, 'analysis'> | null,
  variants: Variant[],
  vocab: number,
) {
  return keptCheckpointBytes(
    spec,
    variants.map((v) => ({
      parameters: countParameters({ ...v.model, vocabSize: v.model.vocabSize ?? vocab }).total,
      training: v.training,
    })),
  );
}

export function experimentHandlers(
  ctx: LabContext,
): Pick<
  Handlers,
  | 'listExperiments'
  | 'getExperiment'
  | 'estimateCost'
  | 'createExperiment'
  | 'renameExperiment'
  | 'annotateExperiment'
  | 'deleteExperiment'
  | 'deleteRun'
  | 'duplicateExperiment'
  | 'startExperiment'
> {
  const { store } = ctx;
  return {
    listExperiments: () => store.experiments.list().map((row) => experimentSummary(ctx, row)),

    getExperiment: ({ id }) => {
      const row = requireExperiment(ctx, id);
      return {
        ...experimentSummary(ctx, row),
        spec: row.spec as Record<string, unknown>,
        runs: store.runs.listByExperiment(id).map((r) => runSummary(ctx, r)),
      };
    },

    estimateCost: async ({ spec, backend, maxGroupSize }) => {
      const { spec: parsed, variants } = validSpec(spec);
      const requested = backend && BACKENDS.has(backend) ? (backend as BackendName) : undefined;
      const vocab = await vocabSizeOf(parsed.dataset);
      const gate = costGate({
        variants,
        vocabSize: vocab,
        backend: gateBackend(backend),
        maxGroupSize,
        confirmSeconds: UI_CONFIRM_SECONDS,
      });
      // Calibrated on this machine and the lab's backend, on the lab's pool of workers — unless
      // the model cannot fit here (then the rough throughput model, and the refusal).
      const e = await ctx.lab.estimate(groupLockstep(variants, maxGroupSize), vocab, requested, {
        calibrate: gate.fits,
      });
      const cpBytes = checkpointBytes(parsed, variants, vocab);
      return {
        runCount: variants.length,
        groupCount: e.groupCount,
        parameters: e.parameters,
        flops: e.flops,
        tokens: e.tokens,
        seconds: e.seconds,
        backend: e.backend,
        workers: e.workers,
        calibrated: e.calibrated,
        notes: e.notes,
        memoryBytes: gate.memory.totalBytes,
        memoryLimitBytes: gate.limitBytes,
        fits: gate.fits,
        needsConfirmation: gate.needsConfirmation,
        issues: gate.issues,
        checkpointBytes: cpBytes,
        storageWarning: storeDiskUsage(ctx.store.path, cpBytes).warning,
      };
    },

    createExperiment: async ({ name, spec, notes, start, confirmCost, from }) => {
      const input = { ...spec, name, ...(notes ? { notes } : {}) };
      const { spec: parsed, variants } = validSpec(input);
      checkCost(
        variants,
        await vocabSizeOf(parsed.dataset),
        ctx.lab.backend, // training runs on the lab's backend
        confirmCost,
        ctx.lab.maxGroupSize,
      );
      let parent: ParentRef | null = null;
      if (from) {
        if (!store.runs.get(from.runId)) throw notFound('Run', String(from.runId));
        try {
          parent = parentRef(store, from.runId, from.step);
        } catch (e) {
          throw new ApiFailure(
            'invalid_input',
            `Cannot fine-tune from run ${from.runId}: ${(e as Error).message}`,
          );
        }
      }
      const created = createExperiment(store, input, parent ? { parentFor: () => parent } : {});
      if (start) startTraining(ctx, created.experiment.id);
      ctx.events.emit({ type: 'experiments.changed' });
      return experimentSummary(ctx, created.experiment);
    },

    renameExperiment: ({ id, name }) => {
      const row = requireExperiment(ctx, id);
      store.experiments.update(id, { name, spec: { ...row.spec, name } as JsonObject });
      ctx.events.emit({ type: 'experiments.changed' });
      return { ok: true };
    },

    annotateExperiment: ({ id, notes }) => {
      requireExperiment(ctx, id);
      store.experiments.update(id, { notes });
      ctx.events.emit({ type: 'experiments.changed' });
      return { ok: true };
    },

    deleteExperiment: ({ id }) => {
      requireExperiment(ctx, id);
      const busy = ctx.lab.busy(id);
      if (busy)
        throw new ApiFailure(
          'conflict',
          busy === 'training'
            ? 'The experiment is training; cancel it first, then delete it.'
            : 'The experiment is being analysed; delete it when the analysis is done.',
        );
      refuseIfTrainingElsewhere(store.runs.listByExperiment(id), ' first, then delete it');
      store.experiments.delete(id);
      ctx.events.emit({ type: 'experiments.changed' });
      return { ok: true };
    },

    deleteRun: ({ id }) => {
      const run = store.runs.get(id);
      if (!run) throw notFound('Run', String(id));
      if (run.status === 'running' && ctx.lab.trainingState(run.experimentId))
        throw new ApiFailure('conflict', 'The run is training; cancel it first, then delete it.');
      if (ctx.lab.busy(run.experimentId) === 'analysing')
        throw new ApiFailure(
          'conflict',
          'Its experiment is being analysed; delete the run when the analysis is done.',
        );
      refuseIfTrainingElsewhere([run], ' first, then delete it');
      // An analysis over several runs means nothing without one of them: it goes too.
      store.transaction(() => {
        for (const a of store.analyses.list({ runId: id })) store.analyses.delete(a.id);
        store.runs.delete(id);
      });
      ctx.events.emit({ type: 'experiments.changed' });
      return { ok: true };
    },

    duplicateExperiment: ({ id, name }) => {
      const row = requireExperiment(ctx, id);
      const copyName = name ?? `${row.name} (copy)`;
      const created = createExperiment(store, { ...row.spec, name: copyName });
      ctx.events.emit({ type: 'experiments.changed' });
      return experimentSummary(ctx, created.experiment);
    },

    startExperiment: async ({ id, confirmCost }) => {
      await checkRunsFit(ctx, id, { confirmCost });
      startTraining(ctx, id, { resume: true });
      return { ok: true };
    },
  };
}
