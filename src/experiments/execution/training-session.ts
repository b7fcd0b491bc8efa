/**
 * One training session: an experiment's runnable runs (queued, plus interrupted ones when
 * resuming), planned into jobs once the pool knows its backend and size, handed to the pool
 * longest first. Each job trains in its own worker; the session relays the workers' progress as
 * `RunnerEvent`s, handles pause / resume / cancel for all of its workers, and settles each job's
 * runs when its worker ends: a worker that dies marks only its own runs `interrupted`, and the
 * session goes on with one worker fewer.
 */
import type { ExperimentOutcome, RunEndStatus, RunnerEvent } from './events';
import { estimateJobBytes } from './job-memory';
import { longestFirst, planJobs, type PlannedJob } from './plan';
import type { PoolClient, PoolTask, PoolView, WorkerLink } from './pool';
import { ProgressTracker } from './progress-tracker';
import type { RunnerStore } from './store-types';
import type { FatalKind, WorkerToHost } from './worker/protocol';
import { storedVariant } from '../spec/create';

export interface StartOptions {
  /** Continue interrupted runs from their last checkpoints (default false: queued runs only). */
  resume?: boolean;
  /** Only these runs of the experiment. */
  runIds?: number[];
}

export interface SessionSettings {
  store: RunnerStore;
  maxGroupSize?: number;
  /** true: always stack lockstep groups; false: every run alone; default: see `plan`. */
  lockstep?: boolean;
  emit: (e: RunnerEvent) => void;
  /** Called once when the session has ended (after `experiment-end`). */
  ended: (s: TrainingSession) => void;
}

export type SessionState = 'running' | 'paused' | 'queued' | 'held';

const USER_CANCEL = 'cancelled by the user';

export class TrainingSession implements PoolClient {
  waitReason: string | null = null;
  paused = false;
  private cancelled: string | null = null;
  private fatal: string | null = null;
  private exitReason: string | null = null;
  private crashes = 0;
  private size = 1;
  private pending: PlannedJob[] | null = null;
  private planned: PlannedJob[] = [];
  private readonly running = new Set<TrainTask>();
  private next: TrainTask | null = null;
  private tracker: ProgressTracker | null = null;
  private readonly announced = new Set<number | null>();
  private jobSeq = 0;
  private ended = false;

  constructor(
    private readonly s: SessionSettings,
    readonly experimentId: number,
    readonly opts: StartOptions,
    private readonly resolve: (o: ExperimentOutcome) => void,
  ) {}

  get store(): RunnerStore {
    return this.s.store;
  }

  get state(): SessionState {
    if (this.paused) return this.running.size ? 'paused' : 'held';
    return this.running.size ? 'running' : 'queued';
  }

  get jobCounts(): { running: number; pending: number } {
    return { running: this.running.size, pending: this.pending?.length ?? 0 };
  }

  // ---- PoolClient ---------------------------------------------------------------------------

  peek(view: PoolView): PoolTask | { wait: string } | null {
    if (this.ended || this.cancelled || this.fatal) return null;
    this.size = view.size;
    if (this.pending === null && !this.plan(view)) return null;
    if (!this.pending!.length) return null;
    if (this.paused)
      return { wait: this.running.size ? 'paused' : 'held: paused before it started' };
    const allowed = view.size - this.crashes;
    if (allowed <= 0) return null;
    if (this.running.size >= allowed)
      return {
        wait: `training on ${allowed} worker(s): ${this.crashes} of the pool's workers stopped`,
      };
    this.next ??= new TrainTask(this, this.pending![0], ++this.jobSeq);
    return this.next;
  }

  taken(task: PoolTask): void {
    this.pending!.shift();
    this.running.add(task as TrainTask);
    this.next = null;
  }

  fail(kind: FatalKind, message: string, advice: string): void {
    for (const t of [...this.running]) if (!t.link) this.running.delete(t);
    this.fatal = `${message} — ${advice}`;
    this.s.emit({ type: 'fatal', experimentId: this.experimentId, kind, message, advice });
    this.maybeEnd();
  }

  // ---- control ------------------------------------------------------------------------------

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const t of this.running) t.link?.send({ type: 'pause' });
    // A held session has no worker to say so.
    if (!this.running.size) this.s.emit({ type: 'paused', experimentId: this.experimentId });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const t of this.running) t.link?.send({ type: 'resume' });
    if (!this.running.size) this.s.emit({ type: 'resumed', experimentId: this.experimentId });
  }

  /** Stops every worker of the session at its next step; jobs not started are dropped. */
  cancel(reason = USER_CANCEL): void {
    if (this.ended || this.cancelled) return;
    this.cancelled = reason;
    for (const t of this.running) {
      t.link?.send({ type: 'cancel', reason });
      if (this.paused) t.link?.send({ type: 'resume' });
    }
    this.maybeEnd();
  }

  // ---- planning and jobs --------------------------------------------------------------------

  /**
   * Plans the jobs. Lockstep stacking pays on a GPU (one device, many models per kernel); on a
   * CPU it saves nothing (the step is compute-bound) and parallel workers are the lever, so
   * with more than one worker every run is its own job.
   */
  private plan(view: PoolView): boolean {
    const lockstep = this.s.lockstep ?? (view.gpu || view.size === 1);
    const jobs = planJobs(this.s.store, this.experimentId, {
      resume: this.opts.resume,
      runIds: this.opts.runIds,
      maxGroupSize: this.s.maxGroupSize,
      lockstep,
    });
    this.planned = jobs;
    this.pending = longestFirst(this.s.store, jobs);
    this.tracker = new ProgressTracker(this.experimentId, jobs);
    if (!jobs.length) {
      this.end('completed', 'nothing to train: no queued runs');
      return false;
    }
    return true;
  }

  /**
   * A worker is ready for the task: false if the session was cancelled (or failed) while the
   * worker started — the task then ends untrained. Otherwise say which worker and backend.
   */
  started(task: TrainTask): boolean {
    if (this.cancelled || this.fatal) {
      this.jobOver(task, this.cancelled ?? this.fatal!, false);
      return false;
    }
    const link = task.link!;
    if (this.announced.has(link.pid)) return true;
    this.announced.add(link.pid);
    this.s.emit({ type: 'worker-start', experimentId: this.experimentId, pid: link.pid });
    if (link.backend)
      this.s.emit({ type: 'backend', experimentId: this.experimentId, ...link.backend });
    return true;
  }

  /** Worker message about one of this session's jobs → runner events. */
  message(task: TrainTask, m: WorkerToHost): void {
    const id = this.experimentId;
    const t = this.tracker!;
    switch (m.type) {
      case 'job-start':
        t.jobStart(m.runIds, m.startStep, m.wallMs);
        this.s.emit({
          type: 'group-start',
          experimentId: id,
          runIds: m.runIds,
          startStep: m.startStep,
          totalSteps: m.totalSteps,
          wallMs: m.wallMs,
          pid: task.link?.pid ?? null,
        });
        return;
      case 'progress':
        for (const r of t.progress(m.runs, m.wallMs))
          this.s.emit({ type: 'run-progress', experimentId: id, wallMs: m.wallMs, ...r });
        this.s.emit({ type: 'experiment-progress', ...t.summary() });
        return;
      case 'run-end':
        t.runEnd(m.runId, m.step, m.wallMs);
        this.s.emit({
          type: 'run-end',
          experimentId: id,
          runId: m.runId,
          status: m.status,
          step: m.step,
          reason: m.reason,
          finalLoss: m.finalLoss,
          batchHash: m.batchHash,
          wallMs: m.wallMs,
        });
        this.s.emit({ type: 'experiment-progress', ...t.summary() });
        return;
      case 'paused':
      case 'resumed':
        this.s.emit({ type: m.type, experimentId: id });
        return;
      case 'log':
        this.s.emit({ type: 'log', experimentId: id, level: m.level, message: m.message });
        return;
      case 'fatal':
        // Out of memory, device lost: the worker marked its runs interrupted; it is retired.
        this.fatal = `${m.message} — ${m.advice}`;
        this.s.emit({
          type: 'fatal',
          experimentId: id,
          kind: m.kind,
          message: m.message,
          advice: m.advice,
        });
        this.jobOver(task, this.fatal, true);
        return;
      case 'job-end':
        this.jobOver(task, 'training worker stopped', false);
        return;
    }
  }

  /** The job's worker died: only its runs are interrupted; the session continues without it. */
  lost(task: TrainTask, reason: string): void {
    if (!this.running.has(task)) return;
    if (!this.cancelled) {
      this.crashes++;
      this.exitReason = reason;
      this.s.emit({
        type: 'fatal',
        experimentId: this.experimentId,
        kind: 'worker-exit',
        message: reason,
        advice: `resume with \`homolab resume exp-${this.experimentId}\``,
      });
    }
    this.jobOver(task, reason, false);
  }

  /** A job ended: whatever its worker left running is orphaned — mark it interrupted. */
  private jobOver(task: TrainTask, reason: string, retire: boolean): void {
    if (!this.running.delete(task)) return;
    for (const id of task.job.runIds) {
      const r = this.s.store.runs.get(id);
      if (r?.status !== 'running') continue;
      this.s.store.runs.transition(id, 'interrupted', { reason });
      this.s.emit({
        type: 'run-end',
        experimentId: this.experimentId,
        runId: id,
        status: 'interrupted',
        step: this.tracker!.step(id),
        reason,
        finalLoss: null,
        batchHash: null,
        wallMs: this.tracker!.wallMs(id),
      });
    }
    task.link?.release({ retire });
    this.maybeEnd();
  }

  /** Ends the session once no worker trains for it and nothing more will start. */
  private maybeEnd(): void {
    if (this.ended || this.running.size) return;
    const more =
      this.pending !== null &&
      this.pending.length > 0 &&
      this.size - this.crashes > 0 &&
      !this.cancelled &&
      !this.fatal;
    if (more) return;
    if (this.pending === null && !this.cancelled && !this.fatal) return; // not planned yet
    if (this.exitReason && !this.cancelled) this.end('interrupted', this.exitReason);
    else if (this.cancelled) this.end('cancelled', this.cancelled);
    else if (this.fatal) this.end('fatal', this.fatal);
    else this.end('completed', null);
  }

  private end(status: ExperimentOutcome['status'], message: string | null): void {
    if (this.ended) return;
    this.ended = true;
    if (this.cancelled) this.cancelLeftovers();
    const outcome = this.outcome(status, message);
    this.s.emit({ type: 'experiment-end', experimentId: this.experimentId, outcome });
    this.s.ended(this);
    this.resolve(outcome);
  }

  /** Runs the cancelled session would still have trained end `cancelled` too. */
  private cancelLeftovers(): void {
    const jobs =
      this.pending === null
        ? planJobs(this.s.store, this.experimentId, { ...this.opts, lockstep: false })
        : this.planned;
    for (const job of jobs)
      for (const id of job.runIds) {
        const r = this.s.store.runs.get(id);
        if (r && (r.status === 'queued' || r.status === 'interrupted'))
          this.s.store.runs.transition(id, 'cancelled', { reason: USER_CANCEL });
      }
  }

  private outcome(status: ExperimentOutcome['status'], message: string | null): ExperimentOutcome {
    return sessionOutcome(this.s.store, this.experimentId, status, message);
  }
}

/** How a session ended, with its runs counted by status (`stopped`: some did not complete). */
function sessionOutcome(
  store: RunnerStore,
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
  for (const r of store.runs.listByExperiment(experimentId))
    if (r.status in counts) counts[r.status as RunEndStatus | 'queued']++;
  const final =
    status === 'completed' &&
    (counts.failed || counts.diverged || counts.cancelled || counts.interrupted)
      ? 'stopped'
      : status;
  return { status: final, counts, message };
}

/** One planned job as a pool task: train it in a worker, relay its messages to the session. */
class TrainTask implements PoolTask {
  readonly memoryBytes: number;
  link: WorkerLink | null = null;

  constructor(
    private readonly session: TrainingSession,
    readonly job: PlannedJob,
    private readonly jobId: number,
  ) {
    const v = storedVariantOf(session, job);
    this.memoryBytes = estimateJobBytes(v.model, v.training.batchSize, job.runIds.length);
  }

  start(link: WorkerLink): void {
    this.link = link;
    if (!this.session.started(this)) return;
    link.send({
      type: 'train',
      job: {
        jobId: this.jobId,
        experimentId: this.session.experimentId,
        runIds: this.job.runIds,
        resume: this.job.fromStep > 0,
      },
      paused: this.session.paused,
    });
  }

  message(m: WorkerToHost): void {
    this.session.message(this, m);
  }

  lost(reason: string): void {
    this.session.lost(this, reason);
  }
}

function storedVariantOf(session: TrainingSession, job: PlannedJob) {
  return storedVariant(session.store.runs.require(job.runIds[0]));
}
