/**
 * The lab service: the one owner of training and analysis for every entry point (the API's
 * handlers, the CLI through them, and the studies through `StudyContext.lab`). One queue, one
 * backend policy, one worker pool:
 *
 * - training sessions (runner.ts) and analyses (analysis-run.ts) share the pool's workers, in
 *   the order they were asked for; nothing heavy runs in the calling process;
 * - the backend is chosen once for the lab (`auto` is resolved by the first worker) and used
 *   for training, analysis and calibration alike;
 * - `status()` lists what trains, what is analysed and why each queued item waits;
 * - with `autoAnalysis`, a finished training session queues its experiment's analysis (the
 *   spec's `analysis` block: measures, checkpoints, probe size).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { commitTempFile, tempPathFor } from '../../../db/atomic-file';
import type { Store } from '../../../db/store';
import { isGpuBackend, type BackendName } from '../../core/engine/types';
import type { AnalyzeResult } from '../analysis/run-analysis';
import { storedVariant } from '../spec/create';
import {
  calibrationKey,
  estimateCost,
  estimateJobs,
  THROUGHPUT,
  type Calibration,
  type CostEstimate,
} from '../spec/estimate';
import type { ExperimentSpec } from '../spec/spec';
import type { LockstepGroup } from '../spec/variants';
import { sliceAnalysis } from './analysis-slices';
import { AnalysisRun, type AnalysisUpdate } from './analysis-run';
import { Calibrator, type CalibrationShape } from './calibration';
import type { ExperimentOutcome, RunnerEvent } from './events';
import { defaultWorkerCount, estimateAnalysisBytes } from './job-memory';
import { WorkerPool } from './pool';
import { ExperimentRunner, type StartOptions, type TrainingStatus } from './runner';
import type { WorkerHostFactory } from './worker/host';
import type { AnalysisSliceOptions, BackendChoice } from './worker/protocol';

export interface LabServiceOptions {
  store: Store;
  /** The store's file: every worker opens its own connection to it. */
  dbPath: string;
  workerFactory: WorkerHostFactory;
  backend?: BackendChoice;
  /** Pool size; overrides the saved setting for this lab (e.g. `--workers N`). */
  workers?: number;
  maxGroupSize?: number;
  lockstep?: boolean;
  /** Queue the spec's analysis after training; overrides the saved setting for this lab. */
  autoAnalysis?: boolean;
  /** Where the settings are kept (null: not kept). */
  settingsFile?: string | null;
  /** Where calibrations are cached (null: not kept). */
  calibrationFile?: string | null;
  log?: (line: string) => void;
}

/** What a user can set; saved in the settings file. */
export interface LabSettings {
  /** Pool size, null = one worker per core. */
  workers: number | null;
  /** Analyse an experiment (its spec's `analysis` block) when its training ends. */
  autoAnalysis: boolean;
}

export interface AnalysisRequest extends AnalysisSliceOptions {
  experimentId: number;
}

/** An analysis as `status()` shows it. */
export interface AnalysisStatus {
  experimentId: number;
  state: 'running' | 'queued';
  /** Overall progress in [0, 1]. */
  fraction: number;
  reason: string | null;
}

export interface LabStatus {
  backend: { choice: BackendChoice; resolved: BackendName | null };
  workers: { size: number; alive: number; busy: number; defaultSize: number };
  settings: LabSettings;
  training: TrainingStatus[];
  analyses: AnalysisStatus[];
}

export type LabServiceEvent =
  | RunnerEvent
  | ({ type: 'analysis' } & AnalysisUpdate)
  /** The queue, the pool or the settings changed: `status()` has news. */
  | { type: 'status' };

type Listener = (e: LabServiceEvent) => void;

const DEFAULT_SETTINGS: LabSettings = { workers: null, autoAnalysis: true };
/** How long an estimate waits for its calibration before answering from the rough model. */
const CALIBRATION_TIMEOUT_MS = 30_000;

export class LabService {
  readonly store: Store;
  private readonly pool: WorkerPool;
  private readonly runner: ExperimentRunner;
  private readonly calibrator: Calibrator;
  private readonly listeners = new Set<Listener>();
  private analyses: AnalysisRun[] = [];
  private settingsValue: LabSettings;
  /** What the user set (saved); options given for this lab only apply on top, unsaved. */
  private saved: Partial<LabSettings>;
  private readonly noAutoAnalysis = new Set<number>();
  private closed = false;

  constructor(private readonly opts: LabServiceOptions) {
    this.store = opts.store;
    const forThisLab: Partial<LabSettings> = {
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.autoAnalysis !== undefined ? { autoAnalysis: opts.autoAnalysis } : {}),
    };
    this.saved = this.loadSettings();
    this.settingsValue = { ...DEFAULT_SETTINGS, ...this.saved, ...forThisLab };
    this.pool = new WorkerPool({
      dbPath: opts.dbPath,
      workerFactory: opts.workerFactory,
      backend: opts.backend ?? 'auto',
      size: this.settingsValue.workers ?? defaultWorkerCount(),
      onWorkerReady: (ms, backend) => this.calibrator.workerStarted(ms, backend),
      log: opts.log,
    });
    this.calibrator = new Calibrator(this.pool, opts.calibrationFile ?? null);
    this.runner = new ExperimentRunner({
      store: opts.store,
      pool: this.pool,
      maxGroupSize: opts.maxGroupSize,
      lockstep: opts.lockstep,
    });
    this.runner.on((e) => {
      this.emit(e);
      if (e.type === 'experiment-end') this.trainingEnded(e.experimentId, e.outcome);
      if (STATUS_EVENTS.has(e.type)) this.emit({ type: 'status' });
    });
  }

  /** Subscribes to training, analysis and status events; returns an unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- backend policy and settings ---------------------------------------------------------

  /** The lab's backend choice (the same for training, analysis and calibration). */
  get backend(): BackendChoice {
    return this.pool.choice;
  }

  /** Most runs stacked in one lockstep job (1 when stacking is off; the cost gate uses it). */
  get maxGroupSize(): number | undefined {
    return this.opts.lockstep === false ? 1 : this.opts.maxGroupSize;
  }

  /** The backend the workers run, once known (`auto` is resolved by the first worker). */
  get resolvedBackend(): BackendName | null {
    return this.pool.backend;
  }

  get settings(): LabSettings {
    return { ...this.settingsValue };
  }

  /** Changes settings (a new pool size applies to the next worker started); saves them. */
  updateSettings(patch: Partial<LabSettings>): LabSettings {
    if (patch.workers !== undefined && patch.workers !== null) {
      if (!Number.isInteger(patch.workers) || patch.workers < 1 || patch.workers > 256)
        throw new RangeError(`workers must be an integer from 1 to 256, got ${patch.workers}`);
    }
    this.saved = { ...this.saved, ...patch };
    this.settingsValue = { ...this.settingsValue, ...patch };
    this.pool.size = this.settingsValue.workers ?? defaultWorkerCount();
    this.saveSettings();
    this.emit({ type: 'status' });
    return this.settings;
  }

  // ---- training ----------------------------------------------------------------------------

  /**
   * Queues training of an experiment's runs; resolves with the outcome when the session ends.
   * `analyze: false` skips the automatic analysis afterwards (callers that analyse themselves).
   */
  train(
    experimentId: number,
    opts: StartOptions & { analyze?: boolean } = {},
  ): Promise<ExperimentOutcome> {
    const { analyze, ...start } = opts;
    const done = this.runner.start(experimentId, start);
    if (analyze === false) this.noAutoAnalysis.add(experimentId);
    else this.noAutoAnalysis.delete(experimentId);
    this.emit({ type: 'status' });
    return done;
  }

  /** Whether the experiment trains or waits to ('paused'/'held' count as training). */
  trainingState(experimentId: number) {
    return this.runner.state(experimentId);
  }

  /** What keeps the experiment busy (training first), or null. */
  busy(experimentId: number): 'training' | 'analysing' | null {
    if (this.runner.state(experimentId)) return 'training';
    if (this.analyses.some((a) => a.experimentId === experimentId)) return 'analysing';
    return null;
  }

  /** Pauses the experiment's workers, or holds it in the queue; false if it is not training. */
  pause(experimentId: number): boolean {
    const ok = this.runner.pause(experimentId);
    if (ok) this.emit({ type: 'status' });
    return ok;
  }

  /** Resumes a paused (or held) experiment; false if it was not paused. */
  resume(experimentId: number): boolean {
    const ok = this.runner.resume(experimentId);
    if (ok) this.emit({ type: 'status' });
    return ok;
  }

  /**
   * Cancels an experiment's training (all of it, or these runs: queued or interrupted ones end
   * `cancelled` at once; a running one stops its whole lockstep job) and its analyses.
   */
  cancel(experimentId: number, runIds?: number[], reason = 'cancelled by the user'): void {
    if (runIds?.length) {
      for (const id of runIds) {
        const r = this.store.runs.get(id);
        if (!r || r.experimentId !== experimentId)
          throw new RangeError(`run ${id} is not part of experiment ${experimentId}`);
        if (r.status === 'queued' || r.status === 'interrupted')
          this.store.runs.transition(id, 'cancelled', { reason });
        else if (r.status === 'running') this.runner.cancel(experimentId, reason);
      }
      return;
    }
    this.runner.cancel(experimentId, reason);
    for (const a of this.analyses) if (a.experimentId === experimentId) a.cancel(reason);
  }

  // ---- analysis ----------------------------------------------------------------------------

  /**
   * Queues an analysis; it runs in pool workers (split into slices that run in parallel) once
   * its experiment is not training. Resolves with the merged result; rejects with the error.
   * Progress arrives as `analysis` events (and `onProgress`, with each slice's phase).
   */
  async analyze(
    req: AnalysisRequest,
    hooks: { onProgress?: (u: AnalysisUpdate) => void } = {},
  ): Promise<AnalyzeResult> {
    const { experimentId, ...options } = req;
    this.store.experiments.require(experimentId);
    const slices = sliceAnalysis(this.store, experimentId, options, this.pool.size);
    const runs = this.store.runs.listByExperiment(experimentId);
    const model = runs.length ? storedVariant(runs[0]).model : null;
    const waiting = this.analyses.some((a) => a.experimentId === experimentId);
    const run: AnalysisRun = new AnalysisRun(experimentId, slices, {
      update: (u) => {
        hooks.onProgress?.(u);
        this.emit({ type: 'analysis', ...u });
      },
      blocked: (id): string | null => this.analysisBlocked(id, run),
      memoryBytes: model ? estimateAnalysisBytes(model, runs.length, options.maxTokens ?? 2048) : 0,
      ended: (r) => {
        this.analyses = this.analyses.filter((x) => x !== r);
        this.pool.remove(r);
        this.emit({ type: 'status' });
      },
    });
    this.analyses.push(run);
    this.emit({
      type: 'analysis',
      experimentId,
      fraction: 0,
      message: waiting ? 'waiting for the analysis before it' : 'starting the analysis',
      error: null,
      finished: false,
      progress: null,
    });
    this.pool.add(run);
    this.emit({ type: 'status' });
    return run.done;
  }

  /** An analysis waits while its experiment trains and behind an earlier one of it. */
  private analysisBlocked(experimentId: number, run: AnalysisRun): string | null {
    if (this.runner.state(experimentId))
      return `waiting for exp-${experimentId} to finish training`;
    const first = this.analyses.find((a) => a.experimentId === experimentId);
    return first && first !== run ? 'waiting for the analysis before it' : null;
  }

  private trainingEnded(experimentId: number, outcome: ExperimentOutcome): void {
    const skip = this.noAutoAnalysis.delete(experimentId);
    if (skip || !this.settingsValue.autoAnalysis || this.closed) return;
    if (outcome.counts.completed < 1 || outcome.status === 'cancelled') return;
    const row = this.store.experiments.get(experimentId);
    const spec = row?.spec as unknown as ExperimentSpec | undefined;
    if (!spec?.analysis?.measures?.length) return;
    this.analyze({ experimentId }).catch((e: unknown) =>
      this.opts.log?.(
        `homolab: automatic analysis of exp-${experimentId} failed: ${(e as Error).message}`,
      ),
    );
  }

  // ---- estimates ---------------------------------------------------------------------------

  /**
   * Cost of training `groups` on this lab: steps timed on this machine and backend (measured
   * now if not cached), the jobs packed onto the pool's workers. For another backend than the
   * lab's (the estimate form can ask), the rough throughput model.
   */
  async estimate(
    groups: LockstepGroup[],
    vocabSize: number,
    requested?: BackendName,
    opts: {
      /**
       * Time steps now if not cached (default true). False for a model the cost gate refuses:
       * timing it would allocate what cannot fit, and the answer is the refusal anyway.
       */
      calibrate?: boolean;
    } = {},
  ): Promise<CostEstimate> {
    const chosen = this.backend === 'auto' ? null : this.backend;
    if (requested && requested !== (this.pool.backend ?? chosen)) {
      const e = estimateCost(groups, vocabSize, requested);
      e.notes.push(`the lab trains on ${this.pool.backend ?? this.backend}: not calibrated here`);
      return e;
    }
    const shapesFor = (gpu: boolean) => {
      const workers = gpu ? 1 : this.pool.size;
      const lockstep = this.opts.lockstep ?? (gpu || workers === 1);
      const jobs = estimateJobs(groups, lockstep);
      // Timed on as many workers at once as will train: they slow each other down.
      const parallel = Math.min(workers, jobs.length);
      const shapes: CalibrationShape[] = jobs.map((members) => {
        const v = members[0];
        return {
          key: calibrationKey(v, vocabSize, members.length),
          model: { ...v.model, vocabSize: v.model.vocabSize ?? vocabSize },
          training: v.training,
          members: members.length,
          parallel,
        };
      });
      return { lockstep, shapes };
    };
    const known = this.pool.backend;
    let plan = shapesFor(known ? isGpuBackend(known) : false);
    const busy = this.pool.counts.busy >= this.pool.size;
    if (!busy && opts.calibrate !== false)
      await this.calibrator.measure(plan.shapes, CALIBRATION_TIMEOUT_MS);
    const backend = this.pool.backend ?? chosen ?? 'wasm';
    if (!known) plan = shapesFor(isGpuBackend(backend));
    const calibrations = new Map<string, Calibration>();
    for (const s of plan.shapes) {
      const c = this.calibrator.get(backend, s.key, s.parallel);
      if (c) calibrations.set(s.key, c);
    }
    const e = estimateCost(groups, vocabSize, backend, THROUGHPUT[backend], {
      calibrations,
      workers: isGpuBackend(backend) ? 1 : this.pool.size,
      lockstep: plan.lockstep,
      workerStartSec: this.calibrator.workerStartSec(backend),
    });
    if (!e.calibrated && busy)
      e.notes.push('every worker is busy: calibration waits until one is free');
    return e;
  }

  // ---- status and closing ------------------------------------------------------------------

  status(): LabStatus {
    const counts = this.pool.counts;
    return {
      backend: { choice: this.backend, resolved: this.pool.backend },
      workers: { size: this.pool.size, ...counts, defaultSize: defaultWorkerCount() },
      settings: this.settings,
      training: this.runner.status(),
      analyses: this.analyses.map((a) => ({
        experimentId: a.experimentId,
        state: a.state,
        fraction: a.fraction,
        reason: a.waitReason,
      })),
    };
  }

  /** Cancels everything, waits up to `waitMs` for the workers to stop, then kills them. */
  async close(waitMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const sessions = this.runner.status().map((s) => s.experimentId);
    const ended = Promise.all(
      sessions.map(
        (id) =>
          new Promise<void>((resolve) => {
            const off = this.runner.on((e) => {
              if (e.type === 'experiment-end' && e.experimentId === id) {
                off();
                resolve();
              }
            });
          }),
      ),
    );
    this.runner.cancel(undefined, 'the lab was closed');
    for (const a of [...this.analyses]) a.cancel('the lab was closed');
    await Promise.race([ended, new Promise((r) => setTimeout(r, waitMs).unref())]);
    this.pool.close();
  }

  private emit(e: LabServiceEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A faulty listener must not stop the lab.
      }
    }
  }

  private loadSettings(): Partial<LabSettings> {
    const f = this.opts.settingsFile;
    if (!f || !existsSync(f)) return {};
    try {
      const s = JSON.parse(readFileSync(f, 'utf8')) as Partial<LabSettings>;
      const out: Partial<LabSettings> = {};
      if (s.workers === null || (Number.isInteger(s.workers) && (s.workers as number) >= 1))
        out.workers = s.workers;
      if (typeof s.autoAnalysis === 'boolean') out.autoAnalysis = s.autoAnalysis;
      return out;
    } catch {
      return {}; // unreadable settings: the defaults
    }
  }

  private saveSettings(): void {
    const f = this.opts.settingsFile;
    if (!f) return;
    const tmp = tempPathFor(f);
    writeFileSync(tmp, JSON.stringify(this.saved, null, 2));
    commitTempFile(tmp, f);
  }
}

/** Runner events after which the queue looks different. */
const STATUS_EVENTS = new Set<RunnerEvent['type']>([
  'worker-start',
  'group-start',
  'run-end',
  'paused',
  'resumed',
  'experiment-end',
]);
