/**
 * `WorkerHost`: the main side's handle on one training worker process. Two implementations —
 * a Node child process (CLI, `homolab serve`) in node-host.ts and an Electron `utilityProcess`
 * (desktop app) in electron-host.ts — so the runner is written once.
 */
import type { HostToWorker, WorkerToHost } from './protocol';

/** How a worker process ended: exit code, or the signal that killed it. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export interface WorkerHost {
  /** OS process id once spawned. */
  readonly pid: number | undefined;
  send(msg: HostToWorker): void;
  /** Subscribes to messages; returns an unsubscribe function. */
  onMessage(cb: (msg: WorkerToHost) => void): () => void;
  /** Called once when the process is gone, for whatever reason. */
  onExit(cb: (exit: WorkerExit) => void): () => void;
  /** Kills the process (SIGKILL where the platform has it). */
  kill(): void;
}

/**
 * A worker process's exit, remembered and announced once to every subscriber — also to one that
 * subscribes after the process is gone (it is called on the next microtask).
 */
export class ExitNotifier {
  private exit: WorkerExit | null = null;
  private readonly callbacks = new Set<(e: WorkerExit) => void>();

  /** The exit, once the process is gone. */
  get exited(): WorkerExit | null {
    return this.exit;
  }

  /** Records the exit and tells the subscribers. */
  fire(exit: WorkerExit): void {
    this.exit = exit;
    for (const cb of this.callbacks) cb(exit);
  }

  /** `WorkerHost.onExit`: subscribes; returns an unsubscribe function. */
  subscribe(cb: (exit: WorkerExit) => void): () => void {
    const e = this.exit;
    if (e) {
      queueMicrotask(() => cb(e));
      return () => undefined;
    }
    this.callbacks.add(cb);
    return () => this.callbacks.delete(cb);
  }
}

/** Starts a fresh worker process. */
export type WorkerHostFactory = () => WorkerHost;

/** Describes an exit for a run's status reason, e.g. 'training worker 123 was killed by SIGKILL'. */
export function describeExit(pid: number | undefined, exit: WorkerExit): string {
  const who = `training worker${pid ? ` ${pid}` : ''}`;
  if (exit.signal) return `${who} was killed by ${exit.signal}`;
  return `${who} exited unexpectedly with code ${exit.code ?? '?'}`;
}
