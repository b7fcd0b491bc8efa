/**
 * The worker's side of the channel: Electron's `process.parentPort` inside a utilityProcess,
 * Node's IPC (`process.send`) inside a forked child.
 */
import type { HostToWorker, WorkerToHost } from './protocol';

interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
}

export interface ParentChannel {
  send(msg: WorkerToHost): void;
  onMessage(cb: (msg: HostToWorker) => void): void;
  /** Called when the parent goes away (IPC closed): the worker should stop. */
  onDisconnect(cb: () => void): void;
}

export function parentChannel(): ParentChannel {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (port) {
    return {
      send: (msg) => port.postMessage(msg),
      onMessage: (cb) => port.on('message', (e) => cb(e.data as HostToWorker)),
      onDisconnect: () => undefined, // utilityProcess children are killed with their parent
    };
  }
  if (!process.send) throw new Error('training worker started without an IPC channel');
  return {
    send: (msg) => process.send?.(msg),
    onMessage: (cb) => process.on('message', (m) => cb(m as HostToWorker)),
    onDisconnect: (cb) => process.on('disconnect', cb),
  };
}
