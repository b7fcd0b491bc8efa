/**
 * Training a study's experiments through the lab service (its queue, its worker pool, its
 * backend), so study training shows in the lab's Live view and obeys pause and cancel; and
 * initialising this process's backend for analysis code a study runs itself.
 */
import { initBackend } from '../../core/engine';
import { createExperiment, type CreatedExperiment } from '../spec/create';
import type { ExperimentSpecInput } from '../spec/spec';
import type { StudyContext } from './types';
import { withOrigin } from './origin';

/** Trains every queued run of an experiment; throws if any run did not complete. */
export async function trainExperiment(
  ctx: StudyContext,
  study: string,
  experimentId: number,
): Promise<void> {
  const off = ctx.lab.on((event) => {
    if (event.type !== 'analysis' && event.type !== 'status' && event.experimentId === experimentId)
      ctx.onEvent?.({ type: 'runner', study, event });
  });
  try {
    // The study analyses with its own options: no automatic analysis in between.
    const outcome = await ctx.lab.train(experimentId, { analyze: false });
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

/**
 * For analysis code a study runs in this process: the lab's backend (as its workers resolved
 * it), set up once.
 */
export function ensureAnalysisBackend(ctx: StudyContext): Promise<unknown> {
  backendReady ??= initBackend(ctx.lab.resolvedBackend ?? ctx.lab.backend).catch((e: unknown) => {
    backendReady = null;
    throw e;
  });
  return backendReady;
}

export function phase(ctx: StudyContext, study: string, name: string, message: string): void {
  ctx.onEvent?.({ type: 'study-phase', study, phase: name, message });
}
