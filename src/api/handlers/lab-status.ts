/** The lab itself: its queue and worker pool (`getLabStatus`) and its settings. */
import type { Handlers } from '../dispatcher';
import { ApiFailure } from '../errors';
import type { LabContext } from '../lab-context';
import type { LabStatus, QueueItem } from '../types';

/** The service's status in the contract's words, with experiment names. */
export function labStatusOf(ctx: LabContext): LabStatus {
  const s = ctx.lab.status();
  const name = (id: number) => ctx.store.experiments.get(id)?.name ?? `exp-${id}`;
  const queue: QueueItem[] = [
    ...s.training.map((t): QueueItem => ({
      experimentId: t.experimentId,
      experimentName: name(t.experimentId),
      kind: 'training',
      state: t.state,
      reason: t.reason,
      runningJobs: t.runningJobs,
      pendingJobs: t.pendingJobs,
      progress: 0,
    })),
    ...s.analyses.map((a): QueueItem => ({
      experimentId: a.experimentId,
      experimentName: name(a.experimentId),
      kind: 'analysis',
      state: a.state,
      reason: a.reason,
      runningJobs: 0,
      pendingJobs: 0,
      progress: a.fraction,
    })),
  ];
  const b = ctx.backendStatus;
  return {
    backend: { ...b, resolved: b.resolved ?? s.backend.resolved },
    workers: s.workers,
    settings: s.settings,
    queue,
  };
}

export function labHandlers(ctx: LabContext): Pick<Handlers, 'getLabStatus' | 'updateLabSettings'> {
  return {
    getLabStatus: () => labStatusOf(ctx),
    updateLabSettings: (patch) => {
      try {
        return ctx.lab.updateSettings(patch);
      } catch (e) {
        throw new ApiFailure('invalid_input', (e as Error).message);
      }
    },
  };
}
