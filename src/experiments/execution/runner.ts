/**
 * The runner: training sessions (training-session.ts) in arrival order on the lab's worker pool
 * (pool.ts). Up to the pool's size, jobs of one session — and of the next, once the first has
 * none left to start — train at once, each in its own worker process that writes its own
 * metrics and checkpoints. The runner publishes every session's events, and pauses, resumes
 * and cancels per experiment; pausing a session that has not started holds it in the queue.
 */
import type { ExperimentOutcome, RunnerEvent } from './events';
import { defaultWorkerCount } from './job-memory';
import { WorkerPool } from './pool';
import type { RunnerStore } from './store-types';
import type { WorkerHostFactory } from './worker/host';
import type { BackendChoice } from './worker/protocol';
import { TrainingSession, type SessionState, type StartOptions } from './training-session';

export type { StartOptions } from './training-session';

/** A pool of its own, for a runner outside the lab service (scripts, benchmarks, tests). */
export interface OwnPoolOptions {
  /** Path of the store's SQLite file; each worker opens its own connection to it. */
  dbPath: string;
  workerFactory: WorkerHostFactory;
  backend?: BackendChoice;
  /** Most workers at once (default: one per core). */
  workers?: number;
}

export type RunnerOptions = {
  store: RunnerStore;
  maxGroupSize?: number;
  /**
   * true: always stack lockstep groups; false: train every run alone; default: stack on a GPU
   * or with a single worker, else one run per job so the pool's workers share the work.
   */
  lockstep?: boolean;
} & ({ pool: WorkerPool } | OwnPoolOptions);

/** A session as `status()` shows it. */
export interface TrainingStatus {
  experimentId: number;
  state: SessionState;
  runningJobs: number;
  pendingJobs: number;
  /** Why its next job waits (null when nothing waits). */
  reason: string | null;
}

type Listener = (e: RunnerEvent) => void;

export class ExperimentRunner {
  private listeners = new Set<Listener>();
  private sessions: TrainingSession[] = [];
  readonly pool: WorkerPool;

  constructor(private readonly opts: RunnerOptions) {
    this.pool =
      'pool' in opts
        ? opts.pool
        : new WorkerPool({
            dbPath: opts.dbPath,
            workerFactory: opts.workerFactory,
            backend: opts.backend ?? 'auto',
            size: opts.workers ?? defaultWorkerCount(),
          });
  }

  /** Subscribes to every event of every session; returns an unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Queues training of an experiment's runs; resolves when the session ends (all jobs done,
   * cancelled, worker lost or a fatal backend error). Never rejects for training problems: they
   * are in the outcome and the runs' statuses. Throws if the experiment has a session already.
   */
  start(experimentId: number, opts: StartOptions = {}): Promise<ExperimentOutcome> {
    this.opts.store.experiments.require(experimentId);
    if (this.session(experimentId))
      throw new Error(`experiment ${experimentId} is already training or queued`);
    return new Promise((resolve) => {
      const s = new TrainingSession(
        {
          store: this.opts.store,
          maxGroupSize: this.opts.maxGroupSize,
          lockstep: this.opts.lockstep,
          emit: (e) => this.emit(e),
          ended: (x) => {
            this.sessions = this.sessions.filter((y) => y !== x);
            this.pool.remove(x);
          },
        },
        experimentId,
        opts,
        resolve,
      );
      this.sessions.push(s);
      this.pool.add(s);
    });
  }

  /** The experiment's session state, or null when it is not training or queued. */
  state(experimentId: number): SessionState | null {
    return this.session(experimentId)?.state ?? null;
  }

  /** Every session, in queue order. */
  status(): TrainingStatus[] {
    return this.sessions.map((s) => ({
      experimentId: s.experimentId,
      state: s.state,
      runningJobs: s.jobCounts.running,
      pendingJobs: s.jobCounts.pending,
      reason: s.waitReason,
    }));
  }

  /** Pauses an experiment's workers between steps (runs stay `running`), or holds it queued. */
  pause(experimentId: number): boolean {
    const s = this.session(experimentId);
    s?.pause();
    this.pool.pump(); // the queue's reasons change
    return Boolean(s);
  }

  resume(experimentId: number): boolean {
    const s = this.session(experimentId);
    if (!s?.paused) return false;
    s.resume();
    this.pool.pump();
    return true;
  }

  /**
   * Cancels an experiment (every one when omitted): every worker training it stops at its next
   * step, its runs end `cancelled`, and so do its runs not started yet.
   */
  cancel(experimentId?: number, reason?: string): void {
    for (const s of [...this.sessions])
      if (experimentId === undefined || s.experimentId === experimentId) s.cancel(reason);
    this.pool.pump();
  }

  private session(experimentId: number): TrainingSession | undefined {
    return this.sessions.find((s) => s.experimentId === experimentId);
  }

  private emit(e: RunnerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A faulty listener must not stop training.
      }
    }
  }
}
