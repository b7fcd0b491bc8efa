/**
 * Run operations: list, metrics (downsampled with envelope), and pause / resume / cancel
 * through the lab service (which also holds a queued experiment when it is paused).
 */
import type { Handlers } from '../dispatcher';
import { downsampleEnvelope } from '../downsample';
import { ApiFailure, notFound } from '../errors';
import type { LabContext } from '../lab-context';
import { resolveMetricName } from '../metric-names';
import { runSummary } from '../summaries';
import type { MetricSeries } from '../types';
import { checkRunsFit, refuseIfTrainingElsewhere, startTraining } from './experiments';

export function runHandlers(
  ctx: LabContext,
): Pick<
  Handlers,
  'listRuns' | 'getRun' | 'getMetrics' | 'pauseRuns' | 'resumeRuns' | 'cancelRuns'
> {
  const { store, lab } = ctx;

  const requireExperiment = (id: number) => {
    if (!store.experiments.get(id)) throw notFound('Experiment', String(id));
  };

  return {
    listRuns: ({ experimentIds }) => {
      const ids = experimentIds ?? store.experiments.list().map((e) => e.id);
      return ids.flatMap((id) => store.runs.listByExperiment(id).map((r) => runSummary(ctx, r)));
    },

    getRun: ({ id }) => {
      const run = store.runs.get(id);
      if (!run) throw notFound('Run', String(id));
      return {
        ...runSummary(ctx, run),
        initSeed: run.initSeed,
        dataSeed: run.dataSeed,
        device: run.device || null,
        statusReason: run.statusReason,
        checkpointSteps: store.checkpoints.list(id).map((c) => c.step),
        metricNames: store.metrics.names(id),
        variant: run.variant,
      };
    },

    getMetrics: ({ runIds, metric, x, maxPoints }) => {
      const out: MetricSeries[] = [];
      for (const runId of runIds) {
        if (!store.runs.get(runId)) throw notFound('Run', String(runId));
        const name = resolveMetricName(metric, store.metrics.names(runId));
        if (!name) {
          out.push({ runId, metric, x: [], y: [], min: [], max: [], rawCount: 0 });
          continue;
        }
        if (x === 'step') {
          // The store buckets in SQL: only maxPoints rows cross into JS even for long runs.
          const d = store.metrics.downsample(runId, name, maxPoints);
          out.push({
            runId,
            metric,
            x: d.buckets.map((b) => b.lastStep),
            y: d.buckets.map((b) => b.last),
            min: d.buckets.map((b) => b.min),
            max: d.buckets.map((b) => b.max),
            rawCount: d.points,
          });
        } else {
          const s = store.metrics.series(runId, name);
          const xs = x === 'tokens' ? (s.tokens ?? []) : (s.wallMs ?? []).map((ms) => ms / 1000);
          const e = downsampleEnvelope(xs, s.values, maxPoints);
          out.push({ runId, metric, ...e, rawCount: s.values.length });
        }
      }
      return out;
    },

    pauseRuns: ({ experimentId, runIds }) => {
      requireExperiment(experimentId);
      if (runIds?.length)
        throw new ApiFailure('unsupported', 'Training pauses per experiment, not per run.');
      if (!lab.pause(experimentId))
        throw new ApiFailure('conflict', 'This experiment is not training now, nor queued.');
      ctx.events.emit({ type: 'experiments.changed' });
      return { ok: true };
    },

    resumeRuns: async ({ experimentId, runIds }) => {
      requireExperiment(experimentId);
      const state = lab.trainingState(experimentId);
      if ((state === 'paused' || state === 'held') && !runIds?.length) {
        lab.resume(experimentId);
        ctx.events.emit({ type: 'experiments.changed' });
        return { ok: true };
      }
      if (state) throw new ApiFailure('conflict', 'This experiment is already training.');
      const resumable = store.runs
        .listByExperiment(experimentId)
        .filter(
          (r) =>
            (!runIds || runIds.includes(r.id)) &&
            (r.status === 'interrupted' || r.status === 'queued'),
        );
      if (resumable.length === 0)
        throw new ApiFailure('conflict', 'Nothing to resume: no interrupted or queued runs.');
      await checkRunsFit(ctx, experimentId, { runIds, confirmCost: true });
      startTraining(ctx, experimentId, { resume: true, runIds });
      return { ok: true };
    },

    cancelRuns: ({ experimentId, runIds }) => {
      requireExperiment(experimentId);
      const here = lab.trainingState(experimentId) !== null;
      // A single run inside a lockstep group cannot stop alone; queued ones can be dropped.
      // Runs that another process trains (the app, serve or a CLI on the same store) are its
      // to stop: saying "cancelled" here would not stop them.
      const runs = runIds?.length
        ? runIds.map((id) => {
            const r = store.runs.get(id);
            if (!r || r.experimentId !== experimentId) throw notFound('Run', String(id));
            return r;
          })
        : store.runs.listByExperiment(experimentId);
      if (!here) refuseIfTrainingElsewhere(runs);
      if (here && !runIds?.length) lab.cancel(experimentId);
      else
        lab.cancel(
          experimentId,
          runs.map((r) => r.id),
        );
      ctx.events.emit({ type: 'experiments.changed' });
      return { ok: true };
    },
  };
}
