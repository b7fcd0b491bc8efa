/**
 * Which checkpoints a run keeps (the policy db/repos/checkpoints.ts applies each time it saves
 * one): the newest `training.keepCheckpoints`, every `training.keepCheckpointEvery`-th step
 * (default: a multiple of the checkpoint interval giving about 10 over the run, a trajectory
 * for analyses over training), step 0, and the steps the analysis plan lists.
 */
import type { RetentionPolicy } from '../../../db/repos/checkpoints';
import type { ExperimentSpec, TrainingSpec } from './spec';

/** Checkpoints kept along the run by default (besides the newest few). */
const SPREAD = 10;

export function checkpointRetention(
  spec: Pick<ExperimentSpec, 'analysis'> | null | undefined,
  training: Partial<TrainingSpec> & { steps: number },
): RetentionPolicy {
  const interval =
    training.checkpointEvery && training.checkpointEvery > 0
      ? training.checkpointEvery
      : training.steps;
  const spread = Math.ceil(Math.ceil(training.steps / SPREAD) / interval) * interval;
  const listed = spec?.analysis?.checkpoints;
  return {
    keepLast: training.keepCheckpoints ?? 3,
    keepEvery: training.keepCheckpointEvery ?? spread,
    keepSteps: Array.isArray(listed) ? listed : [],
  };
}

/** Checkpoint rows a job will keep, all runs together (weights + AdamW moments, float32). */
export function keptCheckpointBytes(
  spec: Pick<ExperimentSpec, 'analysis'> | null | undefined,
  runs: { parameters: number; training: Partial<TrainingSpec> & { steps: number } }[],
): number {
  let bytes = 0;
  for (const r of runs) {
    const p = checkpointRetention(spec, r.training);
    const kept =
      p.keepLast +
      (p.keepEvery > 0 ? Math.floor(r.training.steps / p.keepEvery) : 0) +
      (p.keepSteps?.length ?? 0);
    bytes += kept * r.parameters * 3 * 4;
  }
  return bytes;
}
