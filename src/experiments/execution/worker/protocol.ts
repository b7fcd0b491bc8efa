/**
 * Messages between the main side (the lab service's worker pool) and a worker process. Plain
 * JSON-able objects, so they cross a Node IPC channel and an Electron `utilityProcess` port
 * unchanged. A worker does one thing at a time: train a lockstep job, compute one slice of an
 * analysis, or time a few steps of a config shape (calibration for the cost estimate).
 */
import type { ModelConfig } from '../../../core/model/config';
import type { BackendChoice } from '../../../core/engine/types';
import type { AnalysisProgress, AnalyzeOptions, AnalyzeResult } from '../../analysis/run-analysis';
import type { TrainingSpec } from '../../spec/spec';

// The one BackendChoice type lives with the engine; re-exported for the lab's callers.
export type { BackendChoice } from '../../../core/engine/types';
export { BACKEND_CHOICES } from '../../../core/engine/types';

/** One lockstep group to train (or continue from its runs' last checkpoints). */
export interface TrainJob {
  jobId: number;
  experimentId: number;
  /** Runs trained together as one stacked model, in member order. */
  runIds: number[];
  /** Continue from each run's last checkpoint (the runs must share its step). */
  resume: boolean;
}

/** What an analysis slice computes: `analyzeExperiment`'s options, less the callback. */
export type AnalysisSliceOptions = Omit<AnalyzeOptions, 'onProgress'>;

/** One slice of an analysis (a step × measure family), run by `analyzeExperiment`. */
export interface AnalysisTask {
  taskId: number;
  experimentId: number;
  options: AnalysisSliceOptions;
}

/** A config shape to time: `members` stacked models of `model`, trained with `training`. */
export interface CalibrationTask {
  taskId: number;
  model: ModelConfig;
  training: TrainingSpec & { steps: number };
  members: number;
}

/** Measured on this machine and backend. */
export interface CalibrationResult {
  backend: string;
  /** Median wall time of one training step of the whole stack, ms. */
  stepMs: number;
  /** Wall time of one evaluation batch of the whole stack, ms. */
  evalBatchMs: number;
  /** Steps timed (after the untimed warm-up). */
  steps: number;
}

export type HostToWorker =
  | { type: 'init'; dbPath: string; backend: BackendChoice }
  /** `paused`: start the job held (pause was asked before it started). */
  | { type: 'train'; job: TrainJob; paused?: boolean }
  | { type: 'analyze'; task: AnalysisTask }
  | { type: 'calibrate'; task: CalibrationTask }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel'; reason?: string }
  | { type: 'shutdown' };

/** Training progress of one run. */
export interface RunProgress {
  runId: number;
  step: number;
  totalSteps: number;
  tokens: number;
  loss: number;
  evalLoss: number | null;
  /** This run's share of the group's throughput. */
  tokensPerSec: number;
  etaSec: number | null;
}

/** Why a worker stopped training for good; `advice` says what the user can do. */
export type FatalKind = 'oom' | 'device-lost' | 'backend' | 'store-busy' | 'error';

export type WorkerToHost =
  | { type: 'ready'; pid: number }
  | { type: 'backend'; backend: string; device: string; reason: string }
  /** `wallMs`: the runs' training wall time so far (from their checkpoint when resuming). */
  | {
      type: 'job-start';
      jobId: number;
      runIds: number[];
      startStep: number;
      totalSteps: number;
      wallMs: number;
    }
  | { type: 'progress'; jobId: number; runs: RunProgress[]; wallMs: number }
  | {
      type: 'run-end';
      jobId: number;
      runId: number;
      status: 'completed' | 'cancelled' | 'diverged' | 'failed' | 'interrupted';
      step: number;
      reason: string | null;
      finalLoss: number | null;
      batchHash: string | null;
      wallMs: number | null;
    }
  | { type: 'job-end'; jobId: number }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'fatal'; kind: FatalKind; message: string; advice: string; jobId: number | null }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'analysis-progress'; taskId: number; progress: AnalysisProgress }
  | {
      type: 'analysis-end';
      taskId: number;
      result: AnalyzeResult | null;
      error: string | null;
    }
  | {
      type: 'calibration';
      taskId: number;
      result: CalibrationResult | null;
      error: string | null;
    };
