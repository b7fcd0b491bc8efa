/**
 * Training one lockstep job inside the worker: rebuild data, model and optimizer (from the
 * runs' last checkpoints when resuming), then step until the budget is spent, writing metrics
 * and checkpoints to the store and streaming progress to the main side.
 *
 * Members that diverge (non-finite loss or gradient) end `diverged`; the step that diverged
 * applied no update to anyone, so the others are restacked without that member and retry the
 * same batch — each member's numbers stay exactly those of training it alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Store } from '../../../../db/store';
import type { Checkpoint, RunRow } from '../../../../db/types';
import { Batcher, buildDataset, evalBatches, type Batch, type Dataset } from '../../../core/data';
import type { BackendInfo } from '../../../core/engine';
import type { ModelConfig } from '../../../core/model/config';
import { Transformer } from '../../../core/model/transformer';
import {
  extractMember,
  stackMembers,
  Trainer,
  type StepResult,
  type TrainerState,
} from '../../../core/train';
import { storedVariant } from '../../spec/create';
import { checkpointRetention } from '../../spec/retention';
import { modelConfigOf, trainConfigOf } from '../../spec/model-config';
import { APP_VERSION } from '../../../core/version';
import type { ExperimentSpec, TrainingSpec } from '../../spec/spec';
import { memberCheckpoint, stackCheckpoints, type CheckpointMeta } from './member-state';
import { initFromParents } from './parent-init';
import type { RunProgress, TrainJob, WorkerToHost } from './protocol';

/** What the main side can ask of a running job (set from IPC messages). */
export interface JobControl {
  cancelReason: string | null;
  paused: boolean;
  /** Resolves when not paused (or cancelled). */
  whilePaused(): Promise<void>;
}

export interface JobContext {
  store: Store;
  backend: BackendInfo;
  send: (m: WorkerToHost) => void;
  control: JobControl;
  /** Minimum ms between progress messages. */
  progressEveryMs?: number;
  heartbeatEveryMs?: number;
}

const datasetCache = new Map<string, Promise<Dataset>>();

function datasetFor(spec: ExperimentSpec): Promise<Dataset> {
  const key = JSON.stringify(spec.dataset);
  let p = datasetCache.get(key);
  if (!p) {
    p = buildDataset(spec.dataset);
    datasetCache.set(key, p);
    p.catch(() => datasetCache.delete(key));
  }
  return p;
}

interface Member {
  run: RunRow;
  lastLoss: number | null;
  lastEval: number | null;
}

type EndStatus = 'completed' | 'cancelled' | 'diverged' | 'failed';

/**
 * Trains `job` to the end (or until cancelled / a member diverges / an error). Run statuses
 * are written to the store; `run-end` messages are sent for every member. Throws only for
 * errors that concern the whole job (the caller classifies them: OOM, device lost, …) after
 * leaving the job's runs `running` for the caller to settle.
 */
export async function trainJob(ctx: JobContext, job: TrainJob): Promise<void> {
  await new LockstepJob(ctx, job).run();
  ctx.send({ type: 'job-end', jobId: job.jobId });
}

/**
 * Training wall time of the job's runs: what their checkpoint recorded plus the time trained
 * here, paused time left out (a run paused overnight did not train overnight).
 */
class WallClock {
  private readonly t0 = performance.now();
  private pausedMs = 0;

  constructor(private readonly baseMs: number) {}

  now(): number {
    return this.baseMs + (performance.now() - this.t0 - this.pausedMs);
  }

  addPause(ms: number): void {
    this.pausedMs += ms;
  }
}

/**
 * Step time as an exponential moving average, for tokens/s and the per-run ETA. The first step
 * of a session (kernel compilation) is left out: the second replaces it.
 */
class StepRate {
  private emaMs = 0;
  private steps = 0;

  add(ms: number): void {
    this.steps++;
    if (this.steps <= 2 || this.emaMs === 0) this.emaMs = ms;
    else this.emaMs = 0.9 * this.emaMs + 0.1 * ms;
  }

  get stepsPerSec(): number {
    return this.emaMs > 0 ? 1000 / this.emaMs : 0;
  }
}

/** One lockstep job: the members, their data, model and optimizer, and the step loop. */
class LockstepJob {
  private readonly store: Store;
  private readonly rows: RunRow[];
  private readonly members: Member[];
  private readonly training: TrainingSpec & { steps: number };
  private readonly totalSteps: number;
  private spec!: ExperimentSpec;
  private checkpoints: (Checkpoint | null)[] = [];
  private config!: ModelConfig;
  private dataset!: Dataset;
  private batcher!: Batcher;
  private evalSet!: Batch[];
  private tokensPerStep = 0;
  private model: Transformer | null = null;
  private trainer: Trainer | null = null;
  private clock = new WallClock(0);
  private readonly rate = new StepRate();
  private lastProgress = 0;
  private writer!: ReturnType<Store['metrics']['writer']>;

  constructor(
    private readonly ctx: JobContext,
    private readonly job: TrainJob,
  ) {
    this.store = ctx.store;
    this.store.experiments.require(job.experimentId);
    this.rows = job.runIds.map((id) => this.store.runs.require(id));
    this.members = this.rows.map((run) => ({ run, lastLoss: null, lastEval: null }));
    this.training = storedVariant(this.rows[0]).training;
    this.totalSteps = this.training.steps;
  }

  /** Claims the runs, prepares, trains; failures of this job's own setup end its runs. */
  async run(): Promise<void> {
    this.claim();
    if (!(await this.prepare())) return;
    const trainer = this.trainer!;
    const startCp = this.checkpoints[0];
    this.clock = new WallClock(startCp ? Number((startCp.meta as CheckpointMeta).wallMs ?? 0) : 0);
    this.ctx.send({
      type: 'job-start',
      jobId: this.job.jobId,
      runIds: this.job.runIds,
      startStep: trainer.step,
      totalSteps: this.totalSteps,
      wallMs: this.clock.now(),
    });
    this.writer = this.store.metrics.writer({ batchSize: 500 });
    const heartbeat = setInterval(() => {
      for (const m of this.members) this.store.runs.heartbeat(m.run.id);
    }, this.ctx.heartbeatEveryMs ?? 5000);
    try {
      await this.loop();
    } finally {
      clearInterval(heartbeat);
      try {
        this.writer.flush();
      } catch {
        // The store may be gone with the error being handled above us.
      }
      this.dispose();
    }
  }

  /** Discards anything logged after the runs' last checkpoints and marks them running. */
  private claim(): void {
    for (const r of this.rows) this.checkpoints.push(this.store.resumeRun(r.id).checkpoint);
  }

  /** Data, model and optimizer; false (runs ended `failed`) when this job cannot start. */
  private async prepare(): Promise<boolean> {
    const spec = this.store.experiments.require(this.job.experimentId)
      .spec as unknown as ExperimentSpec;
    this.spec = spec;
    try {
      this.dataset = await datasetFor(spec);
      this.config = modelConfigOf(storedVariant(this.rows[0]).model, this.dataset.vocabSize);
    } catch (e) {
      this.failAll(0, (e as Error).message);
      return false;
    }
    this.recordProvenance();

    // Members must resume from one common step (the planner groups them so).
    const steps = new Set(this.checkpoints.map((c) => c?.step ?? 0));
    if (steps.size > 1) {
      this.failAll(0, `cannot resume together: checkpoints at steps ${[...steps].join(', ')}`);
      return false;
    }
    const startCp = this.checkpoints[0];
    const B = this.training.batchSize;
    const T = this.config.contextLength;
    this.tokensPerStep = B * T;
    try {
      this.batcher = new Batcher(
        this.dataset.train,
        this.dataset.padId,
        { contextLength: T, batchSize: B, seed: this.rows[0].dataSeed },
        startCp ? (startCp.dataCursor as never) : undefined,
      );
      this.evalSet = evalBatches(this.dataset.validation, this.dataset.padId, {
        contextLength: T,
        batchSize: B,
        maxUnits: this.training.evalBatches * B,
      });
    } catch (e) {
      this.failAll(startCp?.step ?? 0, (e as Error).message);
      return false;
    }
    return this.initModel();
  }

  /** The dataset row, backend and versions on every run of the job. */
  private recordProvenance(): void {
    const d = this.dataset.description;
    const datasetRow = this.store.datasets.ensure({
      kind: d.kind,
      params: d.spec as never,
      contentHash: this.dataset.contentHash,
      tokenizer: d.tokenizer as never,
    });
    const versions = { app: APP_VERSION, tfjs: tf.version_core, node: process.version };
    for (const r of this.rows)
      this.store.runs.update(r.id, {
        datasetId: datasetRow.id,
        backend: this.ctx.backend.backend,
        device: this.ctx.backend.device,
        versions,
      });
  }

  /** The stacked model: from the checkpoints when resuming, else fresh (or from parents). */
  private async initModel(): Promise<boolean> {
    this.build(this.rows.map((r) => r.initSeed));
    if (this.checkpoints[0] && this.checkpoints.every((c) => c)) {
      this.trainer!.importState(stackCheckpoints(this.checkpoints as Checkpoint[]));
      return true;
    }
    // Fine-tune runs start from their parent's checkpoint (parent-init.ts).
    try {
      await initFromParents(this.store, this.model!, this.rows, this.dataset.description.tokenizer);
      return true;
    } catch (e) {
      this.dispose();
      this.failAll(0, (e as Error).message);
      return false;
    }
  }

  private build(seeds: number[]): void {
    this.model = new Transformer(this.config, seeds);
    this.trainer = new Trainer(this.model, trainConfigOf(this.training));
  }

  private dispose(): void {
    this.trainer?.dispose();
    this.model?.dispose();
    this.trainer = null;
    this.model = null;
  }

  private async loop(): Promise<void> {
    // The step-0 baseline (init, or a fine-tune's parent weights), when the spec asks for it.
    if (this.training.checkpointAtStart && !this.checkpoints[0]) {
      await this.evaluate();
      await this.checkpoint();
    }
    let pending: Batch | null = null;
    while (this.trainer && this.trainer.step < this.totalSteps && this.members.length) {
      // Let IPC messages (pause, cancel) in between steps.
      await new Promise((r) => setImmediate(r));
      await this.waitWhilePaused();
      if (this.ctx.control.cancelReason) {
        this.cancelAll(this.ctx.control.cancelReason);
        return;
      }
      const batch: Batch = pending ?? this.batcher.next();
      const r = await this.trainer.trainStep(batch);
      if (r.status === 'diverged' && r.diverged) {
        pending = batch; // the others retry the same batch without the diverged member
        await this.diverged(r);
        continue;
      }
      pending = null;
      await this.stepDone(r);
    }
    this.writer.flush();
    const hash = this.batcher.servedHash;
    for (const m of [...this.members]) this.endRun(m, 'completed', this.step, null, hash);
  }

  private get step(): number {
    return this.trainer?.step ?? 0;
  }

  private async waitWhilePaused(): Promise<void> {
    const { control } = this.ctx;
    if (!control.paused) return;
    const t = performance.now();
    this.ctx.send({ type: 'paused' });
    await control.whilePaused();
    this.clock.addPause(performance.now() - t);
    if (!control.cancelReason) this.ctx.send({ type: 'resumed' });
  }

  private cancelAll(reason: string): void {
    this.writer.flush();
    for (const m of [...this.members])
      this.endRun(m, 'cancelled', this.step, reason, this.batcher.servedHash);
    this.members.length = 0;
  }

  /** A member's loss or gradient went non-finite: record it, end it, restack the others. */
  private async diverged(r: StepResult): Promise<void> {
    const d = r.diverged!;
    const k = d.member;
    const m = this.members[k];
    m.lastLoss = r.losses[k];
    // Both quantities, so a run that diverged through its gradient shows which one blew up.
    this.writer.addStep(m.run.id, d.step, d.step * this.tokensPerStep, this.clock.now(), {
      loss: r.losses[k],
      grad_norm: r.gradNorms[k],
    });
    this.writer.flush();
    this.endRun(m, 'diverged', d.step, d.message, null);
    await this.dropMember(k);
  }

  /** Removes member `k`, restacking the others' exact state. */
  private async dropMember(k: number): Promise<void> {
    const state = await this.trainer!.exportState();
    const keep: TrainerState[] = [];
    for (let i = 0; i < this.members.length; i++) if (i !== k) keep.push(extractMember(state, i));
    this.members.splice(k, 1);
    this.dispose();
    if (!this.members.length) return;
    const next = stackMembers(keep);
    this.build(next.seeds);
    this.trainer!.importState(next);
  }

  /** After a successful step: log, evaluate and checkpoint when due, report progress. */
  private async stepDone(r: StepResult): Promise<void> {
    const step = this.step;
    this.rate.add(r.ms);
    const logNow = step % this.training.logEvery === 0 || step === this.totalSteps;
    this.members.forEach((m, k) => {
      m.lastLoss = r.losses[k];
      if (logNow)
        this.writer.addStep(m.run.id, step, step * this.tokensPerStep, this.clock.now(), {
          loss: r.losses[k],
          grad_norm: r.gradNorms[k],
          lr: r.lr,
        });
    });
    const last = step === this.totalSteps;
    const { evalEvery, checkpointEvery } = this.training;
    if (last || (evalEvery > 0 && step % evalEvery === 0)) await this.evaluate();
    if (last || (checkpointEvery > 0 && step % checkpointEvery === 0)) await this.checkpoint();
    this.progress(last);
  }

  private async evaluate(): Promise<void> {
    const r = await this.trainer!.evaluate(this.evalSet);
    const step = this.step;
    this.members.forEach((m, k) => {
      m.lastEval = r.losses[k];
      this.writer.addStep(m.run.id, step, step * this.tokensPerStep, this.clock.now(), {
        eval_loss: r.losses[k],
        eval_accuracy: r.accuracies[k],
      });
    });
  }

  private async checkpoint(): Promise<void> {
    const state = await this.trainer!.exportState();
    const cursor = this.batcher.cursor();
    const hash48 = parseInt(cursor.hash.slice(0, 12), 16);
    const tokens = state.step * this.tokensPerStep;
    this.members.forEach((m, k) => {
      const wallMs = this.clock.now();
      this.writer.add({
        runId: m.run.id,
        name: 'batch_hash48',
        step: state.step,
        tokens,
        wallMs,
        value: hash48,
      });
      this.store.checkpoints.save(m.run.id, memberCheckpoint(state, k, cursor, tokens, wallMs), {
        metrics: this.writer,
        retention: checkpointRetention(this.spec, this.training),
      });
    });
  }

  private progress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < (this.ctx.progressEveryMs ?? 250)) return;
    this.lastProgress = now;
    const step = this.step;
    const perSec = this.rate.stepsPerSec;
    const runs: RunProgress[] = this.members.map((m) => ({
      runId: m.run.id,
      step,
      totalSteps: this.totalSteps,
      tokens: step * this.tokensPerStep,
      loss: m.lastLoss ?? NaN,
      evalLoss: m.lastEval,
      tokensPerSec: perSec * this.tokensPerStep,
      etaSec: perSec > 0 ? (this.totalSteps - step) / perSec : null,
    }));
    this.ctx.send({ type: 'progress', jobId: this.job.jobId, runs, wallMs: this.clock.now() });
  }

  private failAll(step: number, reason: string): void {
    for (const m of this.members) this.endRun(m, 'failed', step, reason, null);
  }

  private endRun(
    m: Member,
    status: EndStatus,
    step: number,
    reason: string | null,
    batchHash: string | null,
  ): void {
    const cur = this.store.runs.get(m.run.id);
    if (cur?.status === 'running')
      this.store.runs.finish(m.run.id, status, {
        reason,
        error: status === 'failed' ? reason : null,
      });
    this.ctx.send({
      type: 'run-end',
      jobId: this.job.jobId,
      runId: m.run.id,
      status,
      step,
      reason,
      finalLoss: m.lastLoss,
      batchHash,
      wallMs: this.trainer ? this.clock.now() : null,
    });
  }
}
