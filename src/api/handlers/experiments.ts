/** Experiment operations: list, get, estimate, create, rename, annotate, delete, duplicate, start. */
import type { JsonObject, RunRow } from '../../../db/types';
import { createExperiment } from '../../experiments/spec/create';
import { estimateCost, type BackendName } from '../../experiments/spec/estimate';
import { checkSpec } from '../../experiments/spec/parse-spec';
import { groupLockstep } from '../../experiments/spec/variants';
import { buildDataset } from '../../core/data/build-dataset';
import type { Handlers } from '../dispatcher';
import { ApiFailure, notFound } from '../errors';
import type { LabContext } from '../lab-context';
import { experimentSummary, runSummary } from '../summaries';
import { costGate } from '../cost-gate';

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
  ctx.runner
    .start(id, opts)
    .catch((err) => ctx.log(`homolab: experiment ${id} failed: ${String(err)}`));
  ctx.events.emit({ type: 'experiments.changed' });
}

/** Vocabulary sizes by dataset spec: building a dataset to learn it is not free. */
const vocabCache = new Map<string, number>();
async function vocabSizeOf(dataset: unknown): Promise<number> {
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

/** The spec's cost estimate on a backend ('auto' and unknown ones: wasm, the usual CPU). */
async function costOf(spec: unknown, backend: string | undefined, maxGroupSize?: number) {
  const { spec: parsed, variants } = validSpec(spec);
  const b = (backend && BACKENDS.has(backend) ? backend : 'wasm') as BackendName;
  const vocab = await vocabSizeOf(parsed.dataset);
  return { e: estimateCost(groupLockstep(variants, maxGroupSize), vocab, b), b, variants };
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
      const { e, b, variants } = await costOf(spec, backend, maxGroupSize);
      if (!backend || backend === 'auto')
        e.notes.push('backend auto: time shown for wasm, the usual CPU choice');
      const gate = costGate(e);
      return {
        runCount: variants.length,
        groupCount: e.groupCount,
        parameters: e.parameters,
        flops: e.flops,
        tokens: e.tokens,
        seconds: e.seconds,
        backend: b,
        notes: e.notes,
        confirm: gate.confirm,
        refuse: gate.refuse,
      };
    },

    createExperiment: async ({ name, spec, notes, start, backend, confirmCost }) => {
      const input = { ...spec, name, ...(notes ? { notes } : {}) };
      validSpec(input);
      const gate = costGate((await costOf(input, backend)).e);
      if (gate.refuse)
        throw new ApiFailure(
          'invalid_input',
          `This experiment cannot run here: ${gate.refuse.message}`,
          [
            {
              path: 'spec.model',
              message: gate.refuse.message,
              code: gate.refuse.code,
              params: gate.refuse.params,
            },
          ],
        );
      if (gate.confirm && start && !confirmCost)
        throw new ApiFailure(
          'conflict',
          `Starting needs confirmation: ${gate.confirm.message}. Confirm (confirmCost: true) to start anyway.`,
        );
      const created = createExperiment(store, input);
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
      const active = ctx.runner.active;
      if (active?.experimentId === id || ctx.runner.queued.includes(id))
        throw new ApiFailure(
          'conflict',
          'The experiment is training; cancel it first, then delete it.',
        );
      refuseIfTrainingElsewhere(store.runs.listByExperiment(id), ' first, then delete it');
      store.experiments.delete(id);
      ctx.events.emit({ type: 'experiments.changed' });
      return { ok: true };
    },

    deleteRun: ({ id }) => {
      const run = store.runs.get(id);
      if (!run) throw notFound('Run', String(id));
      if (run.status === 'running' && ctx.runner.active?.experimentId === run.experimentId)
        throw new ApiFailure('conflict', 'The run is training; cancel it first, then delete it.');
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

    startExperiment: ({ id }) => {
      requireExperiment(ctx, id);
      startTraining(ctx, id, { resume: true });
      return { ok: true };
    },
  };
}
