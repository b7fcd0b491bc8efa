/**
 * The lab's worker pool: up to `size` worker processes, each doing one task at a time (a
 * training job, an analysis slice, a calibration). Work comes from clients — training sessions
 * and analyses — served in arrival order; each client hands out its own tasks (longest first).
 *
 * A free worker is reused for the next task; a new one is started only while the pool is below
 * its size and the task's estimated memory fits what the machine has free (the pool shrinks
 * rather than swapping; with no worker alive one is always started). Idle workers stop. On a
 * GPU backend the pool holds one worker (one device; lockstep stacking inside it).
 *
 * Crash handling is per worker: a worker that dies takes only its own task down (the task's
 * `lost` settles it); a worker whose backend cannot start fails the client whose task it was
 * to run (or, for the first worker of an `auto` backend, every waiting client).
 */
import { isGpuBackend, type BackendName } from '../../core/engine/types';
import { RUNTIME_OVERHEAD_BYTES } from '../spec/memory-estimate';
import { availableBytes, formatMB, HEADROOM_BYTES } from './job-memory';
import {
  describeExit,
  type WorkerExit,
  type WorkerHost,
  type WorkerHostFactory,
} from './worker/host';
import type { BackendChoice, FatalKind, HostToWorker, WorkerToHost } from './worker/protocol';

/** The backend a worker set up. */
export interface WorkerBackend {
  backend: string;
  device: string;
  reason: string;
}

/** What a task holds while it runs: its worker. */
export interface WorkerLink {
  readonly pid: number | null;
  readonly backend: WorkerBackend | null;
  send(m: HostToWorker): void;
  /** The task is over; the worker takes the next one (`retire`: stop it, its state is suspect). */
  release(opts?: { retire?: boolean }): void;
  /** Kills the worker (its task gets `lost`). */
  kill(): void;
}

export interface PoolTask {
  /** Estimated bytes the worker needs for it (checked before a new worker starts). */
  readonly memoryBytes: number;
  start(link: WorkerLink): void;
  message(m: WorkerToHost): void;
  /** The worker died while this task was assigned to it. */
  lost(reason: string): void;
}

/** What decides the next task: the backend's kind and the pool's size. */
export interface PoolView {
  gpu: boolean;
  size: number;
}

/** A source of tasks: a training session or an analysis. */
export interface PoolClient {
  /** The next task to start (the same object until `taken`), why none can start now, or null. */
  peek(view: PoolView): PoolTask | { wait: string } | null;
  taken(task: PoolTask): void;
  /**
   * The pool cannot serve this client: the backend of the worker meant for its task (which
   * never started) failed to start.
   */
  fail(kind: FatalKind, message: string, advice: string): void;
  /** Why the client's next task waits, set by the pool on every scheduling pass. */
  waitReason: string | null;
}

export interface PoolOptions {
  dbPath: string;
  workerFactory: WorkerHostFactory;
  backend: BackendChoice;
  /** Most workers at once on a CPU backend. */
  size: number;
  /** Bytes available now (tests pass a fake; default: the OS's figure). */
  availableBytes?: () => number;
  /** A worker became ready `ms` after it was started (the cost estimate counts it). */
  onWorkerReady?: (ms: number, backend: string) => void;
  log?: (line: string) => void;
}

interface PoolWorker {
  seq: number;
  host: WorkerHost;
  ready: boolean;
  retired: boolean;
  backend: WorkerBackend | null;
  startedAt: number;
  task: PoolTask | null;
  client: PoolClient | null;
  /** The estimate this worker was started for (counted while it is young). */
  memoryBytes: number;
}

let taskSeq = 0;

/** A fresh id for a task message (analysis slices, calibrations), unique in this process. */
export function nextTaskId(): number {
  return ++taskSeq;
}

/** A worker younger than this has not allocated its job's memory yet: count its estimate. */
const YOUNG_MS = 15_000;

export class WorkerPool {
  private workers: PoolWorker[] = [];
  private clients: PoolClient[] = [];
  private resolved: BackendName | null;
  private seq = 0;
  private pumping = false;
  private again = false;
  private soon = false;
  private closed = false;
  private sizeSetting: number;

  constructor(private readonly opts: PoolOptions) {
    this.resolved = opts.backend === 'auto' ? null : opts.backend;
    this.sizeSetting = Math.max(1, Math.floor(opts.size));
  }

  /** The backend the workers run (null until the first `auto` worker reported it). */
  get backend(): BackendName | null {
    return this.resolved;
  }

  get choice(): BackendChoice {
    return this.opts.backend;
  }

  /** Workers allowed at once now: one on a GPU (one device), else the setting. */
  get size(): number {
    return this.resolved && isGpuBackend(this.resolved) ? 1 : this.sizeSetting;
  }

  set size(n: number) {
    this.sizeSetting = Math.max(1, Math.floor(n));
    this.pump();
  }

  /** Worker processes alive, and how many of them have a task. */
  get counts(): { alive: number; busy: number } {
    const live = this.workers.filter((w) => !w.retired);
    return { alive: live.length, busy: live.filter((w) => w.task).length };
  }

  /** Adds a source of work, last in line (`front`: first, for short urgent work). */
  add(client: PoolClient, opts: { front?: boolean } = {}): void {
    if (this.closed) throw new Error('the lab is closed');
    if (opts.front) this.clients.unshift(client);
    else this.clients.push(client);
    this.pump();
  }

  remove(client: PoolClient): void {
    this.clients = this.clients.filter((c) => c !== client);
    this.pump();
  }

  /** Kills every worker (the lab is closing; their clients have been cancelled). */
  close(): void {
    this.closed = true;
    for (const w of this.workers) w.host.kill();
  }

  /** Assigns free (or new) workers to the clients' next tasks, in client order. */
  pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.schedule();
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  private pumpSoon(): void {
    if (this.soon) return;
    this.soon = true;
    setImmediate(() => {
      this.soon = false;
      if (!this.closed) this.pump();
    });
  }

  private schedule(): void {
    for (const c of this.clients) c.waitReason = null;
    const live = this.workers.filter((w) => !w.retired);
    if (this.resolved === null) {
      if (this.clients.length && !live.length && !this.closed) this.spawn(null, null, 0);
      for (const c of this.clients) c.waitReason = 'starting a worker (finding the backend)';
      return;
    }
    const view: PoolView = { gpu: isGpuBackend(this.resolved), size: this.size };
    let blocked: string | null = null;
    for (const c of this.clients) {
      if (blocked) {
        c.waitReason = blocked;
        continue;
      }
      for (;;) {
        const next = c.peek(view);
        if (next === null) break;
        if ('wait' in next) {
          c.waitReason = next.wait;
          break;
        }
        const idle = this.workers.find((w) => !w.retired && !w.task);
        if (idle) {
          c.taken(next);
          this.assign(idle, c, next);
          continue;
        }
        const alive = this.workers.filter((w) => !w.retired);
        if (alive.length >= view.size) {
          blocked = `waiting for a free worker (${alive.length} of ${view.size} busy)`;
          c.waitReason = blocked;
          break;
        }
        const short = this.memoryShortfall(next.memoryBytes, alive);
        if (short && alive.length) {
          blocked = short;
          c.waitReason = blocked;
          break;
        }
        c.taken(next);
        this.spawn(c, next, next.memoryBytes);
      }
    }
    // Nothing left for an idle worker: let it go (it holds a backend and memory).
    for (const w of this.workers) if (!w.retired && !w.task && w.ready) this.retire(w);
  }

  /** Why a worker for `bytes` cannot start now (memory), or null when it fits. */
  private memoryShortfall(bytes: number, alive: PoolWorker[]): string | null {
    const now = Date.now();
    const young = alive
      .filter((w) => now - w.startedAt < YOUNG_MS)
      .reduce((s, w) => s + w.memoryBytes, 0);
    const free = (this.opts.availableBytes ?? availableBytes)() - young - HEADROOM_BYTES;
    if (bytes <= free) return null;
    return `waiting for memory: a worker needs about ${formatMB(bytes)}, ${formatMB(Math.max(0, free))} is free`;
  }

  private spawn(client: PoolClient | null, task: PoolTask | null, bytes: number): void {
    const host = this.opts.workerFactory();
    const w: PoolWorker = {
      seq: ++this.seq,
      host,
      ready: false,
      retired: false,
      backend: null,
      startedAt: Date.now(),
      task,
      client,
      memoryBytes: Math.max(bytes, RUNTIME_OVERHEAD_BYTES),
    };
    this.workers.push(w);
    host.onMessage((m) => this.onMessage(w, m));
    host.onExit((exit) => this.onExit(w, exit));
    host.send({ type: 'init', dbPath: this.opts.dbPath, backend: this.opts.backend });
  }

  private assign(w: PoolWorker, client: PoolClient, task: PoolTask): void {
    w.task = task;
    w.client = client;
    if (w.ready) task.start(this.link(w, task));
  }

  private link(w: PoolWorker, task: PoolTask): WorkerLink {
    return {
      pid: w.host.pid ?? null,
      backend: w.backend,
      send: (m) => {
        if (w.task === task) w.host.send(m);
      },
      release: (o = {}) => {
        if (w.task !== task) return;
        w.task = null;
        w.client = null;
        if (o.retire) this.retire(w);
        // On the next turn: what the task's end sets off (a session's end queueing its
        // analysis, a study's next step) comes first and finds this worker free.
        this.pumpSoon();
      },
      kill: () => {
        if (w.task === task) w.host.kill();
      },
    };
  }

  private retire(w: PoolWorker): void {
    if (w.retired) return;
    w.retired = true;
    w.host.send({ type: 'shutdown' });
  }

  private onMessage(w: PoolWorker, m: WorkerToHost): void {
    if (m.type === 'backend') {
      w.backend = { backend: m.backend, device: m.device, reason: m.reason };
      if (this.resolved === null) this.resolved = m.backend as BackendName;
      return;
    }
    if (!w.ready && m.type === 'fatal') {
      this.initFailed(w, m.kind, m.message, m.advice);
      return;
    }
    if (m.type === 'ready') {
      if (w.retired) return;
      w.ready = true;
      if (w.backend) this.opts.onWorkerReady?.(Date.now() - w.startedAt, w.backend.backend);
      if (w.task) w.task.start(this.link(w, w.task));
      else this.pump();
      return;
    }
    w.task?.message(m);
  }

  /** A worker's backend did not start: its client (or, for a probe, every client) fails. */
  private initFailed(w: PoolWorker, kind: FatalKind, message: string, advice: string): void {
    this.retire(w);
    // Its task never started; the client drops it when it fails.
    const failed = w.client ? [w.client] : [...this.clients];
    w.task = null;
    w.client = null;
    this.clients = this.clients.filter((c) => !failed.includes(c));
    for (const c of failed) c.fail(kind, message, advice);
    this.pump();
  }

  private onExit(w: PoolWorker, exit: WorkerExit): void {
    this.workers = this.workers.filter((x) => x !== w);
    const task = w.task;
    w.retired = true;
    w.task = null;
    w.client = null;
    if (task) task.lost(describeExit(w.host.pid, exit));
    if (!this.closed) this.pump();
  }
}
