/**
 * Events the runner publishes while it trains an experiment. The API layer forwards them to the
 * UI (IPC / WebSocket); the CLI renders them as progress bars or JSON lines. `wallMs` is a run's
 * training wall time as its worker measures it (paused time left out; it continues from the
 * checkpoint when a run resumes, also after an app restart).
 */
import type { FatalKind, RunProgress } from './worker/protocol';

export type RunEndStatus = 'completed' | 'cancelled' | 'diverged' | 'failed' | 'interrupted';

export interface ExperimentProgress {
  experimentId: number;
  runCount: number;
  /** Runs in a terminal state or interrupted. */
  finishedRuns: number;
  /** Sum of steps done over the runs of this session, and their total. */
  stepsDone: number;
  stepsTotal: number;
  /** Aggregate throughput of every job of the session training now. */
  tokensPerSec: number;
  etaSec: number | null;
}

export type RunnerEvent =
  | { type: 'worker-start'; experimentId: number; pid: number | null }
  | { type: 'backend'; experimentId: number; backend: string; device: string; reason: string }
  | {
      type: 'group-start';
      experimentId: number;
      runIds: number[];
      startStep: number;
      totalSteps: number;
      wallMs: number;
      /** The worker process training this job. */
      pid: number | null;
    }
  | ({ type: 'run-progress'; experimentId: number; wallMs: number } & RunProgress)
  | ({ type: 'experiment-progress' } & ExperimentProgress)
  | {
      type: 'run-end';
      experimentId: number;
      runId: number;
      status: RunEndStatus;
      step: number;
      reason: string | null;
      finalLoss: number | null;
      batchHash: string | null;
      wallMs: number | null;
    }
  | { type: 'paused'; experimentId: number }
  | { type: 'resumed'; experimentId: number }
  | {
      type: 'fatal';
      experimentId: number;
      kind: FatalKind | 'worker-exit';
      message: string;
      advice: string;
    }
  | { type: 'log'; experimentId: number; level: 'info' | 'warn'; message: string }
  | { type: 'experiment-end'; experimentId: number; outcome: ExperimentOutcome };

/** How a `start`/`resume` call ended. */
export interface ExperimentOutcome {
  /** `completed`: every run completed; `stopped`: some ended otherwise (see counts). */
  status: 'completed' | 'stopped' | 'interrupted' | 'cancelled' | 'fatal';
  counts: Record<RunEndStatus | 'queued', number>;
  message: string | null;
}
