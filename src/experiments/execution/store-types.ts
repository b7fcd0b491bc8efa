/**
 * The part of the lab store (db/) the runner uses, as a structural type so the runner works
 * with the store's own object and tests can pass the real store unchanged.
 */
import type { CheckpointsRepo } from '../../../db/repos/checkpoints';
import type { DatasetsRepo } from '../../../db/repos/datasets';
import type { ExperimentsRepo } from '../../../db/repos/experiments';
import type { MetricsRepo } from '../../../db/repos/metrics';
import type { RunsRepo } from '../../../db/repos/runs';

export interface RunnerStore {
  experiments: ExperimentsRepo;
  runs: RunsRepo;
  metrics: MetricsRepo;
  checkpoints: CheckpointsRepo;
  datasets: DatasetsRepo;
}
