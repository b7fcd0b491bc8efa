/**
 * The runner: a queue of training sessions, each executed in a fresh training worker process.
 *
 * One session = one experiment's runnable runs (queued, plus interrupted ones when resuming),
 * planned into lockstep jobs that the worker trains one after another. The worker owns the
 * backend and writes metrics and checkpoints to the store itself; the runner relays its
 * progress as `RunnerEvent`s, handles pause/resume/cancel, and — if the worker dies — marks its
 * runs `interrupted` with the reason, so `resume` can continue them from their last checkpoint.
 */
import type { ExperimentOutcome, RunEndStatus, RunnerEvent } from './events';
import { planJobs, type PlannedJob, type PlanOptions } from './plan';
import type { RunnerStore } from './store-types';
import {
  describeExit,
  type WorkerExit,
  type WorkerHost,
  type WorkerHostFactory,
} from './worker/host';
import type { BackendChoice, RunProgress, WorkerToHost } from './worker/protocol';

export interface RunnerOptions {
  store: RunnerStore;
  /** Path of the store's SQLite file; the worker opens its own connection to it. */
  dbPath: string;
  workerFactory: WorkerHostFactory;
  backend?: BackendChoice;
  maxGroupSize?: number;
  /** Set false to train every run alone. */
  lockstep?: boolean;
}

export interface StartOptions {
  /** Continue interrupted runs from their last checkpoints (default false: queued runs only). */
  resume?: boolean;
  /** Only these runs of the experiment. */
  runIds?: number[];
}

type Listener = (e: RunnerEvent) => void;

interface Session {
  experimentId: number;
  opts: StartOptions;
  resolve: (o: ExperimentOutcome) => void;
  cancelled: boolean;
  paused: boolean;
  worker?: WorkerHost;
}

export class ExperimentRunner {
  private listeners = new Set<Listener>();
  private queue: Session[] = [];
  private current: Session | null = null;

  constructor(private readonly opts: RunnerOptions) {}

  /** Subscribes to every event of every session; returns an unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Queues training of an experiment's runs; resolves when the session ends (all jobs done,
   * cancelled, worker lost or a fatal backend error). Never rejects for training problems: they
   * are in the outcome and the runs' statuses.
   */
  start(experimentId: number, opts: StartOptions = {}): Promise<ExperimentOutcome> {
    this.opts.store.experiments.require(experimentId);
    return new Promise((resolve) => {
      this.queue.push({ experimentId, opts, resolve, cancelled: false, paused: false });
      if (!this.current) void this.next();
    });
  }

  /** The experiment training now, if any. */
  get active(): { experimentId: number; paused: boolean } | null {
    return this.current
      ? { experimentId: this.current.experimentId, paused: this.current.paused }
      : null;
  }

  /** Experiments waiting behind the active one. */
  get queued(): number[] {
    return this.queue.map((s) => s.experimentId);
  }

  /** Pauses the active session between steps (runs stay `running`, heart-beating). */
  pause(): void {
    const s = this.current;
    if (!s || s.paused) return;
    s.paused = true;
    s.worker?.send({ type: 'pause' });
  }

  resume(): void {
    const s = this.current;
    if (!s || !s.paused) return;
    s.paused = false;
    s.worker?.send({ type: 'resume' });
  }

  /**
   * Cancels an experiment: its training runs end `cancelled` at the next step, its queued runs
   * of this session are cancelled too. A queued (not yet started) session is dropped.
   */
  cancel(experimentId?: number, reason = 'cancelled by the user'): void {
    const s = this.current;
    if (s && (experimentId === undefined || s.experimentId === experimentId)) {
      s.cancelled = true;
      s.worker?.send({ type: 'cancel', reason });
      if (s.paused) s.worker?.send({ type: 'resume' });
      return;
    }
    const i = this.queue.findIndex((q) => q.experimentId === experimentId);
    if (i >= 0) {
      const [q] = this.queue.splice(i, 1);
      q.resolve(this.outcome(q.experimentId, 'cancelled', reason));
    }
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

  private async next(): Promise<void> {
    const s = this.queue.shift();
    if (!s) {
      this.current = null;
      return;
    }
    this.current = s;
    let outcome: ExperimentOutcome;
    try {
      outcome = await this.runSession(s);
    } catch (err) {
      outcome = this.outcome(s.experimentId, 'fatal', (err as Error).message);
    }
    this.emit({ type: 'experiment-end', experimentId: s.experimentId, outcome });
    s.resolve(outcome);
    void this.next();
  }

  private async runSession(s: Session): Promise<ExperimentOutcome> {
    const { store } = this.opts;
    const planOpts: PlanOptions = {
      resume: s.opts.resume,
      runIds: s.opts.runIds,
      maxGroupSize: this.opts.maxGroupSize,
      lockstep: this.opts.lockstep,
    };
    const jobs = planJobs(store, s.experimentId, planOpts);
    if (!jobs.length)
      return this.outcome(s.experimentId, 'completed', 'nothing to train: no queued runs');

    const tracker = new ProgressTracker(s.experimentId, jobs);
    const worker = this.opts.workerFactory();
    s.worker = worker;
    this.emit({ type: 'worker-start', experimentId: s.experimentId, pid: worker.pid ?? null });
    if (s.paused) worker.send({ type: 'pause' });
    worker.send({ type: 'init', dbPath: this.opts.dbPath, backend: this.opts.backend ?? 'auto' });

    let jobIndex = -1;
    let fatal: string | null = null;
    let exitReason: string | null = null;
    let shutdownSent = false;
    const shutdown = () => {
      shutdownSent = true;
      worker.send({ type: 'shutdown' });
    };

    const sessionDone = new Promise<void>((done) => {
      const sendNext = () => {
        jobIndex++;
        if (s.cancelled || fatal || jobIndex >= jobs.length) {
          shutdown();
          return;
        }
        worker.send({
          type: 'train',
          job: {
            jobId: jobIndex,
            experimentId: s.experimentId,
            runIds: jobs[jobIndex].runIds,
            resume: jobs[jobIndex].fromStep > 0,
          },
        });
      };
      worker.onMessage((m: WorkerToHost) => {
        const ev = this.translate(s.experimentId, m, tracker);
        for (const e of ev) this.emit(e);
        if (m.type === 'ready') sendNext();
        else if (m.type === 'job-end') sendNext();
        else if (m.type === 'fatal') {
          fatal = `${m.message} — ${m.advice}`;
          shutdown();
        }
      });
      worker.onExit((exit: WorkerExit) => {
        const clean = exit.code === 0 && !exit.signal;
        if (!shutdownSent || !clean) exitReason = describeExit(worker.pid, exit);
        done();
      });
    });
    await sessionDone;

    // Whatever the worker left running is now orphaned: mark it interrupted with the reason.
    const reason = exitReason ?? fatal ?? 'training worker stopped';
    for (const job of jobs)
      for (const id of job.runIds) {
        const r = store.runs.get(id);
        if (r?.status === 'running') {
          store.runs.transition(id, 'interrupted', { reason });
          this.emit({
            type: 'run-end',
            experimentId: s.experimentId,
            runId: id,
            status: 'interrupted',
            step: tracker.step(id),
            reason,
            finalLoss: null,
            batchHash: null,
          });
        }
      }
    if (exitReason && !s.cancelled) {
      this.emit({
        type: 'fatal',
        experimentId: s.experimentId,
        kind: 'worker-exit',
        message: exitReason,
        advice: `resume with \`homolab resume exp-${s.experimentId}\``,
      });
      return this.outcome(s.experimentId, 'interrupted', exitReason);
    }
    if (s.cancelled) {
      for (const job of jobs)
        for (const id of job.runIds) {
          const r = store.runs.get(id);
          if (r && (r.status === 'queued' || r.status === 'interrupted'))
            store.runs.transition(id, 'cancelled', { reason: 'cancelled by the user' });
        }
      return this.outcome(s.experimentId, 'cancelled', 'cancelled by the user');
    }
    if (fatal) return this.outcome(s.experimentId, 'fatal', fatal);
    return this.outcome(s.experimentId, 'completed', null);
  }

  /** Maps a worker message to runner events, updating the session's progress tracker. */
  private translate(experimentId: number, m: WorkerToHost, t: ProgressTracker): RunnerEvent[] {
    switch (m.type) {
      case 'backend':
        return [
          { type: 'backend', experimentId, backend: m.backend, device: m.device, reason: m.reason },
        ];
      case 'job-start':
        t.jobStart(m.runIds, m.startStep);
        return [
          {
            type: 'group-start',
            experimentId,
            runIds: m.runIds,
            startStep: m.startStep,
            totalSteps: m.totalSteps,
          },
        ];
      case 'progress':
        t.progress(m.runs);
        return [
          ...m.runs.map((r): RunnerEvent => ({ type: 'run-progress', experimentId, ...r })),
          { type: 'experiment-progress', ...t.summary() },
        ];
      case 'run-end':
        t.runEnd(m.runId, m.step);
        return [
          {
            type: 'run-end',
            experimentId,
            runId: m.runId,
            status: m.status,
            step: m.step,
            reason: m.reason,
            finalLoss: m.finalLoss,
            batchHash: m.batchHash,
          },
          { type: 'experiment-progress', ...t.summary() },
        ];
      case 'paused':
        return [{ type: 'paused', experimentId }];
      case 'resumed':
        return [{ type: 'resumed', experimentId }];
      case 'fatal':
        return [
          { type: 'fatal', experimentId, kind: m.kind, message: m.message, advice: m.advice },
        ];
      case 'log':
        return [{ type: 'log', experimentId, level: m.level, message: m.message }];
      default:
        return [];
    }
  }

  private outcome(
    experimentId: number,
    status: ExperimentOutcome['status'],
    message: string | null,
  ): ExperimentOutcome {
    const counts: ExperimentOutcome['counts'] = {
      completed: 0,
      cancelled: 0,
      diverged: 0,
      failed: 0,
      interrupted: 0,
      queued: 0,
    };
    for (const r of this.opts.store.runs.listByExperiment(experimentId))
      if (r.status in counts) counts[r.status as RunEndStatus | 'queued']++;
    const final =
      status === 'completed' &&
      (counts.failed || counts.diverged || counts.cancelled || counts.interrupted)
        ? 'stopped'
        : status;
    return { status: final, counts, message };
  }
}

/** Per-session progress: steps done per run, for the experiment's progress and ETA. */
class ProgressTracker {
  private steps = new Map<number, number>();
  private totals = new Map<number, number>();
  private finished = new Set<number>();
  private tokensPerSec = 0;
  private groupTps = new Map<number, number>();

  constructor(
    private readonly experimentId: number,
    jobs: PlannedJob[],
  ) {
    for (const j of jobs)
      for (const id of j.runIds) {
        this.steps.set(id, j.fromStep);
        this.totals.set(id, j.totalSteps);
      }
  }

  step(runId: number): number {
    return this.steps.get(runId) ?? 0;
  }

  jobStart(runIds: number[], startStep: number): void {
    for (const id of runIds) this.steps.set(id, startStep);
    this.groupTps.clear();
  }

  progress(runs: RunProgress[]): void {
    for (const r of runs) {
      this.steps.set(r.runId, r.step);
      this.totals.set(r.runId, r.totalSteps);
      this.groupTps.set(r.runId, r.tokensPerSec);
    }
    this.tokensPerSec = [...this.groupTps.values()].reduce((a, b) => a + b, 0);
  }

  runEnd(runId: number, step: number): void {
    this.steps.set(runId, step);
    this.finished.add(runId);
    this.groupTps.delete(runId);
  }

  summary() {
    let done = 0;
    let total = 0;
    for (const [id, t] of this.totals) {
      total += t;
      done += this.finished.has(id) ? t : Math.min(t, this.steps.get(id) ?? 0);
    }
    // Steps per second of the whole session ≈ members training now × their step rate.
    const perStepTokens = this.tokensPerSec > 0 ? this.tokensPerSec : 0;
    return {
      experimentId: this.experimentId,
      runCount: this.totals.size,
      finishedRuns: this.finished.size,
      stepsDone: done,
      stepsTotal: total,
      tokensPerSec: this.tokensPerSec,
      etaSec: perStepTokens > 0 ? this.eta(done, total) : null,
    };
  }

  private started = Date.now();
  private startedDone: number | null = null;

  /** ETA from the session's average step rate so far. */
  private eta(done: number, total: number): number | null {
    if (this.startedDone === null) {
      this.startedDone = done;
      this.started = Date.now();
      return null;
    }
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = (done - this.startedDone) / elapsed;
    return rate > 0 ? (total - done) / rate : null;
  }
}
