/**
 * Calibration for the cost estimate: a few timed steps of each job's config shape in pool
 * workers (worker/calibrate.ts) — on as many workers at once as will train it, so the timing
 * includes what parallel workers cost each other (shared cores, memory bandwidth, whatever else
 * runs on the machine) — cached per machine, backend, shape and parallelism in a JSON file next
 * to the store, together with how long a worker takes to start. Calibration work goes to the
 * front of the pool's line; a shape not measured in time falls back to the rough model.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { commitTempFile, tempPathFor } from '../../../db/atomic-file';
import type { ModelConfig } from '../../core/model/config';
import type { Calibration } from '../spec/estimate';
import type { TrainingSpec } from '../spec/spec';
import { estimateJobBytes } from './job-memory';
import {
  nextTaskId,
  type PoolClient,
  type PoolTask,
  type PoolView,
  type WorkerLink,
  type WorkerPool,
} from './pool';
import type { CalibrationResult, FatalKind, WorkerToHost } from './worker/protocol';

/** A config shape to measure, under its `calibrationKey`. */
export interface CalibrationShape {
  key: string;
  model: ModelConfig;
  training: TrainingSpec & { steps: number };
  members: number;
  /** Workers that will train at once (the shape is timed on that many together). */
  parallel: number;
}

const entryKey = (backend: string, key: string, parallel: number) =>
  `${backend}\n${key}\n×${parallel}`;

interface CacheFile {
  version: 2;
  /** Timings are this machine's: another CPU invalidates them. */
  machine: string;
  entries: Record<string, Calibration & { at: number }>;
  /** Seconds from starting a worker to its backend being ready, per backend. */
  workerStartSec: Record<string, number>;
}

const machineId = (): string => {
  const c = cpus();
  return `${c[0]?.model ?? 'cpu'} × ${c.length}`;
};

export class Calibrator {
  private cache: CacheFile;

  constructor(
    private readonly pool: WorkerPool,
    private readonly file: string | null,
  ) {
    this.cache = this.load();
  }

  /** A shape's timings on `backend` with `parallel` workers busy, if measured. */
  get(backend: string, key: string, parallel: number): Calibration | null {
    const e = this.cache.entries[entryKey(backend, key, parallel)];
    return e ? { stepMs: e.stepMs, evalBatchMs: e.evalBatchMs } : null;
  }

  workerStartSec(backend: string): number | undefined {
    return this.cache.workerStartSec[backend];
  }

  /** Records a worker's start-up time (a moving average, so one slow start does not stick). */
  workerStarted(ms: number, backend: string): void {
    const prev = this.cache.workerStartSec[backend];
    const s = ms / 1000;
    this.cache.workerStartSec[backend] = prev === undefined ? s : 0.7 * prev + 0.3 * s;
    this.save();
  }

  /**
   * Measures the shapes not cached for the pool's backend; resolves when they are measured or
   * after `timeoutMs` (what was not measured by then stays unmeasured).
   */
  async measure(shapes: CalibrationShape[], timeoutMs: number): Promise<void> {
    const backend = this.pool.backend;
    const todo = shapes.filter((s, i) => {
      if (backend && this.get(backend, s.key, s.parallel)) return false;
      return shapes.findIndex((x) => x.key === s.key) === i;
    });
    if (!todo.length) return;
    const client = new CalibrationClient(todo, (shape, r) => {
      this.cache.entries[entryKey(r.backend, shape.key, shape.parallel)] = {
        stepMs: r.stepMs,
        evalBatchMs: r.evalBatchMs,
        at: Date.now(),
      };
      this.save();
    });
    this.pool.add(client, { front: true });
    const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([client.done, timer]);
    client.drop();
    this.pool.remove(client);
  }

  private load(): CacheFile {
    const empty: CacheFile = { version: 2, machine: machineId(), entries: {}, workerStartSec: {} };
    if (!this.file || !existsSync(this.file)) return empty;
    try {
      const c = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      return c.version === empty.version && c.machine === empty.machine ? c : empty;
    } catch {
      return empty; // a damaged cache is only a cache: measure again
    }
  }

  private save(): void {
    if (!this.file) return;
    try {
      const tmp = tempPathFor(this.file);
      writeFileSync(tmp, JSON.stringify(this.cache));
      commitTempFile(tmp, this.file);
    } catch {
      // Not being able to cache costs a re-measurement next time, nothing more.
    }
  }
}

/** The shapes to measure: `parallel` pool tasks each, their timings averaged. */
class CalibrationClient implements PoolClient {
  waitReason: string | null = null;
  readonly done: Promise<void>;
  private finish!: () => void;
  private pending: CalibrationShape[];
  private readonly running = new Set<CalibrationTask>();
  private readonly results = new Map<CalibrationShape, CalibrationResult[]>();
  private next: CalibrationTask | null = null;
  private dropped = false;

  constructor(
    shapes: CalibrationShape[],
    private readonly measured: (s: CalibrationShape, r: CalibrationResult) => void,
  ) {
    this.pending = shapes.flatMap((s) => Array.from({ length: Math.max(1, s.parallel) }, () => s));
    this.done = new Promise((r) => (this.finish = r));
  }

  peek(view: PoolView): PoolTask | { wait: string } | null {
    void view;
    if (this.dropped || !this.pending.length) return null;
    this.next ??= new CalibrationTask(this, this.pending[0]);
    return this.next;
  }

  taken(task: PoolTask): void {
    this.pending.shift();
    this.running.add(task as CalibrationTask);
    this.next = null;
  }

  fail(kind: FatalKind, message: string): void {
    void kind;
    void message;
    this.drop();
  }

  /** Stops handing out shapes (the estimate stopped waiting); running ones still finish. */
  drop(): void {
    this.dropped = true;
    this.pending = [];
    for (const t of this.running) t.go();
    if (!this.running.size) this.finish();
  }

  /**
   * A replica's worker is ready. The replicas of a shape start timing together, once all of
   * them are: a worker still starting up (seconds of CPU) would slow the others' steps.
   */
  ready(task: CalibrationTask): void {
    const shape = task.shape;
    if (this.pending.includes(shape)) return;
    const replicas = [...this.running].filter((t) => t.shape === shape);
    if (replicas.every((t) => t.link)) for (const t of replicas) t.go();
  }

  ended(task: CalibrationTask, result: CalibrationResult | null): void {
    if (!this.running.delete(task)) return;
    const shape = task.shape;
    const got = this.results.get(shape) ?? [];
    if (result) got.push(result);
    this.results.set(shape, got);
    task.link?.release();
    const left =
      this.pending.some((s) => s === shape) || [...this.running].some((t) => t.shape === shape);
    if (!left && got.length) {
      const mean = (f: (r: CalibrationResult) => number) =>
        got.reduce((a, r) => a + f(r), 0) / got.length;
      this.measured(shape, {
        backend: got[0].backend,
        stepMs: mean((r) => r.stepMs),
        evalBatchMs: mean((r) => r.evalBatchMs),
        steps: got.reduce((a, r) => a + r.steps, 0),
      });
    }
    if (!this.running.size && !this.pending.length) this.finish();
  }
}

class CalibrationTask implements PoolTask {
  readonly memoryBytes: number;
  readonly taskId = nextTaskId();
  link: WorkerLink | null = null;

  constructor(
    private readonly client: CalibrationClient,
    readonly shape: CalibrationShape,
  ) {
    this.memoryBytes = estimateJobBytes(shape.model, shape.training.batchSize, shape.members);
  }

  private sent = false;

  start(link: WorkerLink): void {
    this.link = link;
    this.client.ready(this);
  }

  /** Starts the timing (the client calls it when every replica's worker is ready). */
  go(): void {
    if (this.sent || !this.link) return;
    this.sent = true;
    const { model, training, members } = this.shape;
    this.link.send({ type: 'calibrate', task: { taskId: this.taskId, model, training, members } });
  }

  message(m: WorkerToHost): void {
    if (m.type === 'calibration' && m.taskId === this.taskId) this.client.ended(this, m.result);
  }

  lost(): void {
    this.client.ended(this, null);
  }
}
