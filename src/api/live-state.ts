/**
 * What the API knows about training beyond the store: the latest progress of each run, the
 * throughput/ETA of each experiment, fatal errors and batch hashes, fed by the runner's
 * events. It also translates RunnerEvents into the contract's LabEvents. A run's wall time is
 * the one its worker measures (continued from its checkpoint on resume, so it survives an app
 * restart), not this process's clock.
 */
import type { RunnerEvent } from '../experiments/execution/events';
import type { LabEvent } from './contract';

export interface LiveRun {
  step: number;
  totalSteps: number;
  tokens: number;
  loss: number;
  evalLoss: number | null;
  tokensPerSec: number;
  etaSec: number | null;
  wallMs: number;
}

export interface LiveExperiment {
  stepsDone: number;
  stepsTotal: number;
  tokensPerSec: number;
  etaSec: number | null;
  paused: boolean;
  error: string | null;
}

export class LiveState {
  readonly runs = new Map<number, LiveRun>();
  readonly experiments = new Map<number, LiveExperiment>();
  readonly batchHashes = new Map<number, string>();
  readonly backends = new Map<number, string>();

  private exp(id: number): LiveExperiment {
    let e = this.experiments.get(id);
    if (!e) {
      e = {
        stepsDone: 0,
        stepsTotal: 0,
        tokensPerSec: 0,
        etaSec: null,
        paused: false,
        error: null,
      };
      this.experiments.set(id, e);
    }
    return e;
  }

  /** Records a runner event and returns the LabEvents to push to the UI. */
  apply(e: RunnerEvent): LabEvent[] {
    switch (e.type) {
      case 'backend':
        this.backends.set(e.experimentId, `${e.backend} (${e.device})`);
        return [];
      case 'group-start': {
        const x = this.exp(e.experimentId);
        x.error = null;
        return e.runIds.map((runId) => {
          const prev = this.runs.get(runId);
          this.runs.set(runId, {
            step: e.startStep,
            totalSteps: e.totalSteps,
            tokens: prev?.tokens ?? 0,
            loss: prev?.loss ?? NaN,
            evalLoss: prev?.evalLoss ?? null,
            tokensPerSec: 0,
            etaSec: null,
            wallMs: e.wallMs,
          });
          return {
            type: 'run.status',
            experimentId: e.experimentId,
            runId,
            status: 'running',
            error: null,
          };
        });
      }
      case 'run-progress': {
        const prev = this.runs.get(e.runId);
        const r: LiveRun = {
          step: e.step,
          totalSteps: e.totalSteps,
          tokens: e.tokens,
          loss: e.loss,
          evalLoss: e.evalLoss ?? prev?.evalLoss ?? null,
          tokensPerSec: e.tokensPerSec,
          etaSec: e.etaSec,
          wallMs: e.wallMs,
        };
        this.runs.set(e.runId, r);
        return [
          {
            type: 'run.progress',
            experimentId: e.experimentId,
            runId: e.runId,
            step: r.step,
            totalSteps: r.totalSteps,
            loss: r.loss,
            evalLoss: r.evalLoss,
            tokensSeen: r.tokens,
            tokensPerSec: r.tokensPerSec,
            etaSec: r.etaSec,
            wallTimeMs: r.wallMs,
          },
        ];
      }
      case 'experiment-progress': {
        const x = this.exp(e.experimentId);
        x.stepsDone = e.stepsDone;
        x.stepsTotal = e.stepsTotal;
        x.tokensPerSec = e.tokensPerSec;
        x.etaSec = e.etaSec;
        return [
          {
            type: 'experiment.status',
            experimentId: e.experimentId,
            status: x.paused ? 'paused' : 'running',
            progress: e.stepsTotal ? e.stepsDone / e.stepsTotal : 0,
          },
        ];
      }
      case 'run-end': {
        const r = this.runs.get(e.runId);
        if (r) {
          r.step = e.step;
          r.tokensPerSec = 0;
          r.etaSec = null;
          if (e.finalLoss !== null) r.loss = e.finalLoss;
          if (e.wallMs !== null) r.wallMs = e.wallMs;
        }
        if (e.batchHash) this.batchHashes.set(e.runId, e.batchHash);
        return [
          {
            type: 'run.status',
            experimentId: e.experimentId,
            runId: e.runId,
            status: e.status,
            error: e.status === 'completed' ? null : e.reason,
          },
        ];
      }
      case 'paused':
      case 'resumed': {
        const x = this.exp(e.experimentId);
        x.paused = e.type === 'paused';
        return [
          {
            type: 'experiment.status',
            experimentId: e.experimentId,
            status: x.paused ? 'paused' : 'running',
            progress: x.stepsTotal ? x.stepsDone / x.stepsTotal : 0,
          },
        ];
      }
      case 'fatal':
        this.exp(e.experimentId).error = `${e.message} — ${e.advice}`;
        return [];
      case 'experiment-end': {
        const x = this.exp(e.experimentId);
        x.paused = false;
        x.tokensPerSec = 0;
        x.etaSec = null;
        if (e.outcome.status === 'fatal' && e.outcome.message) x.error = e.outcome.message;
        return [{ type: 'experiments.changed' }];
      }
      default:
        return [];
    }
  }
}
