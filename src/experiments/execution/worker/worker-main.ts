/**
 * A worker process of the lab's pool: owns the compute backend and its own store connection,
 * and does one task at a time — train a lockstep job, compute one slice of an analysis, or time
 * a config shape for the cost estimate — reporting progress to the main side. Started by a
 * `WorkerHost` (Node child process or Electron utilityProcess).
 *
 * Failure policy: an error confined to a job's runs (bad data for this config, …) fails those
 * runs and the worker goes on; out of memory, a lost GPU device or an unusable backend stop the
 * worker with a `fatal` message saying what to do, its runs left `interrupted` (resumable).
 */
import { openStore, type Store } from '../../../../db/store';
import { initBackend, type BackendInfo } from '../../../core/engine';
import { runAnalysisTask } from './analysis-task';
import { runCalibration } from './calibrate';
import { classifyError } from './errors';
import { parentChannel } from './parent-channel';
import type { HostToWorker, TrainJob } from './protocol';
import { trainJob, type JobControl } from './train-job';

const channel = parentChannel();
let store: Store | null = null;
let backend: BackendInfo | null = null;
let initError: unknown = null;
let ready: Promise<void> | null = null;
/** The task in progress (the pool sends the next one only after this one ended). */
let busy: Promise<void> | null = null;

let resumeWaiters: (() => void)[] = [];
const control: JobControl = {
  cancelReason: null,
  paused: false,
  whilePaused: () =>
    control.paused && !control.cancelReason
      ? new Promise<void>((r) => resumeWaiters.push(r))
      : Promise.resolve(),
};
const wake = () => {
  const w = resumeWaiters;
  resumeWaiters = [];
  for (const r of w) r();
};

async function init(dbPath: string, choice: Parameters<typeof initBackend>[0]): Promise<void> {
  try {
    store = openStore(dbPath, { recover: false });
    backend = await initBackend(choice);
    const skipped = backend.reasons.map((r) => `${r.backend}: ${r.skipped}`).join('; ');
    channel.send({
      type: 'backend',
      backend: backend.backend,
      device: backend.device,
      reason: choice === 'auto' ? `auto${skipped ? ` (skipped ${skipped})` : ''}` : 'requested',
    });
  } catch (e) {
    initError = e;
    const c = classifyError(e);
    channel.send({
      type: 'fatal',
      kind: c.kind === 'run' ? 'backend' : c.kind,
      message: (e as Error).message,
      advice: c.advice || 'choose another backend (--backend wasm or cpu)',
      jobId: null,
    });
  }
}

/** Runs one task after init; a task that cannot run (init failed) is dropped: fatal was sent. */
function runTask(f: (s: Store, b: BackendInfo) => Promise<void>): void {
  const previous = busy;
  busy = (async () => {
    await previous;
    await ready;
    if (initError || !store || !backend) return;
    await f(store, backend);
  })().finally(() => {
    busy = null;
  });
}

async function train(s: Store, b: BackendInfo, job: TrainJob): Promise<void> {
  try {
    await trainJob({ store: s, backend: b, send: (m) => channel.send(m), control }, job);
  } catch (e) {
    const c = classifyError(e);
    const message = (e as Error).message ?? String(e);
    if (c.kind === 'run') {
      // Confined to this job: fail its runs that are still running, then carry on.
      for (const id of job.runIds) {
        const r = s.runs.get(id);
        if (r?.status === 'running') {
          s.runs.finish(id, 'failed', { reason: message, error: (e as Error).stack ?? message });
          channel.send({
            type: 'run-end',
            jobId: job.jobId,
            runId: id,
            status: 'failed',
            step: 0,
            reason: message,
            finalLoss: null,
            batchHash: null,
            wallMs: null,
          });
        }
      }
      channel.send({ type: 'job-end', jobId: job.jobId });
    } else {
      for (const id of job.runIds) {
        const r = s.runs.get(id);
        if (r?.status === 'running')
          s.runs.transition(id, 'interrupted', { reason: `${message} — ${c.advice}` });
      }
      channel.send({ type: 'fatal', kind: c.kind, message, advice: c.advice, jobId: job.jobId });
    }
  }
}

function shutdown(code = 0): void {
  try {
    store?.close();
  } catch {
    // Closing is best effort; committed data is already durable.
  }
  process.exit(code);
}

channel.onMessage((m: HostToWorker) => {
  switch (m.type) {
    case 'init':
      ready = init(m.dbPath, m.backend);
      void ready.then(() => channel.send({ type: 'ready', pid: process.pid }));
      break;
    case 'train':
      // The job's control starts here, synchronously, so a pause sent right after is kept.
      control.cancelReason = null;
      control.paused = m.paused === true;
      runTask((s, b) => train(s, b, m.job));
      break;
    case 'analyze':
      runTask((s) => runAnalysisTask(s, m.task, (msg) => channel.send(msg)));
      break;
    case 'calibrate':
      runTask(() => runCalibration(m.task, (msg) => channel.send(msg)));
      break;
    case 'pause':
      control.paused = true;
      break;
    case 'resume':
      control.paused = false;
      wake();
      break;
    case 'cancel':
      control.cancelReason = m.reason ?? 'cancelled';
      wake();
      break;
    case 'shutdown':
      if (!busy) shutdown(0);
      else {
        // Finish the current step's bookkeeping first: cancel, then exit when idle.
        control.cancelReason ??= 'worker shut down';
        wake();
        void busy.finally(() => shutdown(0));
      }
      break;
  }
});
channel.onDisconnect(() => shutdown(0));
