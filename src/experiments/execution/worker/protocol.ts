/**
 * Messages between the main side (runner) and the training worker process. Plain JSON-able
 * objects, so they cross a Node IPC channel and an Electron `utilityProcess` port unchanged.
 */

/** The backend to ask the engine for. */
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = [
  'auto',
  'tensorflow',
  'webgpu',
  'wasm',
  'cpu',
];

/** One lockstep group to train (or continue from its runs' last checkpoints). */
export interface TrainJob {
  jobId: number;
  experimentId: number;
  /** Runs trained together as one stacked model, in member order. */
  runIds: number[];
  /** Continue from each run's last checkpoint (the runs must share its step). */
  resume: boolean;
}

export type HostToWorker =
  | { type: 'init'; dbPath: string; backend: BackendChoice }
  | { type: 'train'; job: TrainJob }
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
  | { type: 'job-start'; jobId: number; runIds: number[]; startStep: number; totalSteps: number }
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
    }
  | { type: 'job-end'; jobId: number }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'fatal'; kind: FatalKind; message: string; advice: string; jobId: number | null }
  | { type: 'log'; level: 'info' | 'warn'; message: string };
