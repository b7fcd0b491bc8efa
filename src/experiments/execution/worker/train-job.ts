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
import { extractMember, stackMembers, Trainer, type TrainerState } from '../../../core/train';
import { storedVariant } from '../../spec/create';
import { checkpointRetention } from '../../spec/retention';
import { modelConfigOf, trainConfigOf } from '../../spec/model-config';
import { APP_VERSION } from '../../../core/version';
import type { ExperimentSpec } from '../../spec/spec';
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

/**
 * Trains `job` to the end (or until cancelled / a member diverges / an error). Run statuses
 * are written to the store; `run-end` messages are sent for every member. Throws only for
 * errors that concern the whole job (the caller classifies them: OOM, device lost, …) after
 * leaving the job's runs `running` for the caller to settle.
 */
export async function trainJob(ctx: JobContext, job: TrainJob): Promise<void> {
  await trainMembers(ctx, job);
  ctx.send({ type: 'job-end', jobId: job.jobId });
}

async function trainMembers(ctx: JobContext, job: TrainJob): Promise<void> {
  const { store, send, control } = ctx;
  const experiment = store.experiments.require(job.experimentId);
  const spec = experiment.spec as unknown as ExperimentSpec;
  const rows = job.runIds.map((id) => store.runs.require(id));
  const v = storedVariant(rows[0]);
  const training = v.training;
  const totalSteps = training.steps;

  // Claim the runs: discard anything logged after their last checkpoint, mark them running.
  const checkpoints: (Checkpoint | null)[] = [];
  for (const r of rows) checkpoints.push(store.resumeRun(r.id).checkpoint);
  const members: Member[] = rows.map((run) => ({ run, lastLoss: null, lastEval: null }));

  const endRun = (
    m: Member,
    status: 'completed' | 'cancelled' | 'diverged' | 'failed',
    step: number,
    reason: string | null,
    batchHash: string | null,
  ) => {
    const cur = store.runs.get(m.run.id);
    if (cur?.status === 'running')
      store.runs.finish(m.run.id, status, {
        reason,
        error: status === 'failed' ? reason : null,
      });
    send({
      type: 'run-end',
      jobId: job.jobId,
      runId: m.run.id,
      status,
      step,
      reason,
      finalLoss: m.lastLoss,
      batchHash,
    });
  };

  let dataset: Dataset;
  let config: ModelConfig;
  try {
    dataset = await datasetFor(spec);
    config = modelConfigOf(v.model, dataset.vocabSize);
  } catch (e) {
    for (const m of members) endRun(m, 'failed', 0, (e as Error).message, null);
    return;
  }
  const datasetRow = store.datasets.ensure({
    kind: dataset.description.kind,
    params: dataset.description.spec as never,
    contentHash: dataset.contentHash,
    tokenizer: dataset.description.tokenizer as never,
  });
  const versions = { app: APP_VERSION, tfjs: tf.version_core, node: process.version };
  for (const r of rows)
    store.runs.update(r.id, {
      datasetId: datasetRow.id,
      backend: ctx.backend.backend,
      device: ctx.backend.device,
      versions,
    });

  // Members must resume from one common step (the planner groups them so).
  const steps = new Set(checkpoints.map((c) => c?.step ?? 0));
  if (steps.size > 1) {
    for (const m of members)
      endRun(
        m,
        'failed',
        0,
        `cannot resume together: checkpoints at steps ${[...steps].join(', ')}`,
        null,
      );
    return;
  }
  const startCp = checkpoints[0];
  const B = training.batchSize;
  const T = config.contextLength;
  const tokensPerStep = B * T;

  let batcher: Batcher;
  let evalSet: Batch[];
  try {
    batcher = new Batcher(
      dataset.train,
      dataset.padId,
      { contextLength: T, batchSize: B, seed: rows[0].dataSeed },
      startCp ? (startCp.dataCursor as never) : undefined,
    );
    evalSet = evalBatches(dataset.validation, dataset.padId, {
      contextLength: T,
      batchSize: B,
      maxUnits: training.evalBatches * B,
    });
  } catch (e) {
    for (const m of members) endRun(m, 'failed', startCp?.step ?? 0, (e as Error).message, null);
    return;
  }

  let model = new Transformer(
    config,
    rows.map((r) => r.initSeed),
  );
  let trainer = new Trainer(model, trainConfigOf(training));
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    trainer.dispose();
    model.dispose();
  };
  if (startCp && checkpoints.every((c) => c))
    trainer.importState(stackCheckpoints(checkpoints as Checkpoint[]));
  else {
    // Fine-tune runs start from their parent's checkpoint (parent-init.ts).
    try {
      await initFromParents(store, model, rows, dataset.description.tokenizer);
    } catch (e) {
      dispose();
      for (const m of members) endRun(m, 'failed', 0, (e as Error).message, null);
      return;
    }
  }

  const startStep = trainer.step;
  const baseWallMs = startCp ? Number((startCp.meta as CheckpointMeta).wallMs ?? 0) : 0;
  const t0 = performance.now();
  const wallMs = () => baseWallMs + (performance.now() - t0);
  send({ type: 'job-start', jobId: job.jobId, runIds: job.runIds, startStep, totalSteps });

  const writer = store.metrics.writer({ batchSize: 500 });
  const heartbeat = setInterval(() => {
    for (const m of members) store.runs.heartbeat(m.run.id);
  }, ctx.heartbeatEveryMs ?? 5000);

  // Step time as an exponential moving average (the session's first step, which compiles
  // kernels, is left out), for tokens/s and ETA.
  let emaMs = 0;
  let sessionSteps = 0;
  let stepsPerSec = 0;
  let lastProgress = 0;
  const progress = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastProgress < (ctx.progressEveryMs ?? 250)) return;
    lastProgress = now;
    const step = trainer.step;
    const runs: RunProgress[] = members.map((m) => ({
      runId: m.run.id,
      step,
      totalSteps,
      tokens: step * tokensPerStep,
      loss: m.lastLoss ?? NaN,
      evalLoss: m.lastEval,
      tokensPerSec: stepsPerSec * tokensPerStep,
      etaSec: stepsPerSec > 0 ? (totalSteps - step) / stepsPerSec : null,
    }));
    send({ type: 'progress', jobId: job.jobId, runs, wallMs: wallMs() });
  };

  const checkpoint = async () => {
    const state = await trainer.exportState();
    const cursor = batcher.cursor();
    const hash48 = parseInt(cursor.hash.slice(0, 12), 16);
    members.forEach((m, k) => {
      writer.add({
        runId: m.run.id,
        name: 'batch_hash48',
        step: state.step,
        tokens: state.step * tokensPerStep,
        wallMs: wallMs(),
        value: hash48,
      });
      store.checkpoints.save(
        m.run.id,
        memberCheckpoint(state, k, cursor, state.step * tokensPerStep, wallMs()),
        { metrics: writer, retention: checkpointRetention(spec, training) },
      );
    });
  };

  const evaluate = async () => {
    const r = await trainer.evaluate(evalSet);
    members.forEach((m, k) => {
      m.lastEval = r.losses[k];
      writer.addStep(m.run.id, trainer.step, trainer.step * tokensPerStep, wallMs(), {
        eval_loss: r.losses[k],
        eval_accuracy: r.accuracies[k],
      });
    });
  };

  /** Removes member `k` (diverged), restacking the others' exact state. */
  const dropMember = async (k: number) => {
    const state = await trainer.exportState();
    const keep: TrainerState[] = [];
    for (let i = 0; i < members.length; i++) if (i !== k) keep.push(extractMember(state, i));
    members.splice(k, 1);
    dispose();
    if (!members.length) return;
    const next = stackMembers(keep);
    model = new Transformer(config, next.seeds);
    trainer = new Trainer(model, trainConfigOf(training));
    disposed = false;
    trainer.importState(next);
  };

  try {
    // The step-0 baseline (init, or a fine-tune's parent weights), when the spec asks for it.
    if (training.checkpointAtStart && !startCp) {
      await evaluate();
      await checkpoint();
    }
    let pending: Batch | null = null;
    while (trainer.step < totalSteps && members.length) {
      // Let IPC messages (pause, cancel) in between steps.
      await new Promise((r) => setImmediate(r));
      if (control.paused) {
        send({ type: 'paused' });
        await control.whilePaused();
        if (!control.cancelReason) send({ type: 'resumed' });
      }
      if (control.cancelReason) {
        writer.flush();
        for (const m of [...members])
          endRun(m, 'cancelled', trainer.step, control.cancelReason, batcher.servedHash);
        members.length = 0;
        break;
      }
      const batch: Batch = pending ?? batcher.next();
      const r = await trainer.trainStep(batch);
      if (r.status === 'diverged' && r.diverged) {
        pending = batch;
        const k = r.diverged.member;
        const m = members[k];
        m.lastLoss = r.losses[k];
        // Both quantities, so a run that diverged through its gradient shows which one blew up.
        writer.addStep(m.run.id, r.diverged.step, r.diverged.step * tokensPerStep, wallMs(), {
          loss: r.losses[k],
          grad_norm: r.gradNorms[k],
        });
        writer.flush();
        endRun(m, 'diverged', r.diverged.step, r.diverged.message, null);
        await dropMember(k);
        continue;
      }
      pending = null;
      const step = trainer.step;
      sessionSteps++;
      if (sessionSteps === 1 || emaMs === 0) emaMs = r.ms;
      else emaMs = 0.9 * emaMs + 0.1 * r.ms;
      if (sessionSteps === 2) emaMs = r.ms;
      stepsPerSec = emaMs > 0 ? 1000 / emaMs : 0;
      members.forEach((m, k) => {
        m.lastLoss = r.losses[k];
        if (step % training.logEvery === 0 || step === totalSteps)
          writer.addStep(m.run.id, step, step * tokensPerStep, wallMs(), {
            loss: r.losses[k],
            grad_norm: r.gradNorms[k],
            lr: r.lr,
          });
      });
      const last = step === totalSteps;
      if (last || (training.evalEvery > 0 && step % training.evalEvery === 0)) await evaluate();
      if (last || (training.checkpointEvery > 0 && step % training.checkpointEvery === 0))
        await checkpoint();
      progress(last);
    }
    writer.flush();
    const hash = batcher.servedHash;
    for (const m of members) endRun(m, 'completed', trainer.step, null, hash);
  } finally {
    clearInterval(heartbeat);
    try {
      writer.flush();
    } catch {
      // The store may be gone with the error being handled above us.
    }
    dispose();
  }
}
