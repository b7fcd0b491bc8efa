/**
 * Training a study's experiments through the regular runner (worker process, lockstep
 * groups, checkpoints in the store), and initialising the main process's backend for the
 * analysis step.
 */
import { initBackend } from '../../core/engine';
import { createExperiment, type CreatedExperiment } from '../spec/create';
import { ExperimentRunner } from '../execution/runner';
import type { ExperimentSpecInput } from '../spec/spec';
import type { StudyContext } from './types';
import { withOrigin } from './origin';

/** Trains every queued run of an experiment; throws if any run did not complete. */
export async function trainExperiment(
  ctx: StudyContext,
  study: string,
  experimentId: number,
): Promise<void> {
  const runner = new ExperimentRunner({
    store: ctx.store,
    dbPath: ctx.dbPath,
    workerFactory: ctx.workerFactory,
    backend: ctx.backend,
  });
  const off = runner.on((event) => ctx.onEvent?.({ type: 'runner', study, event }));
  try {
    const outcome = await runner.start(experimentId);
    if (outcome.status !== 'completed')
      throw new Error(
        `training of exp-${experimentId} ended '${outcome.status}'${outcome.message ? `: ${outcome.message}` : ''} (runs: ${JSON.stringify(outcome.counts)})`,
      );
  } finally {
    off();
  }
}

/** Creates an experiment from a spec and trains it. */
export async function createAndTrain(
  ctx: StudyContext,
  study: string,
  spec: ExperimentSpecInput,
): Promise<CreatedExperiment> {
  const created = createExperiment(ctx.store, withOrigin(ctx, spec));
  phase(
    ctx,
    study,
    'train',
    `training ${created.runs.length} run(s) of "${spec.name}" (exp-${created.experiment.id})`,
  );
  await trainExperiment(ctx, study, created.experiment.id);
  return created;
}

let backendReady: Promise<unknown> | null = null;

/** The analysis runs models in this process: set its tfjs backend up once. */
export function ensureAnalysisBackend(ctx: StudyContext): Promise<unknown> {
  backendReady ??= initBackend(ctx.backend).catch((e: unknown) => {
    backendReady = null;
    throw e;
  });
  return backendReady;
}

export function phase(ctx: StudyContext, study: string, name: string, message: string): void {
  ctx.onEvent?.({ type: 'study-phase', study, phase: name, message });
}
