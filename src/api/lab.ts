/**
 * The lab behind both transports: opens the store, creates the runner with the given worker
 * factory (Node child process for serve, utilityProcess in Electron), relays runner events to
 * the event bus, and assembles every contract handler into one dispatcher.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openStore, type Store } from '../../db/store';
import { ExperimentRunner } from '../experiments/execution/runner';
import type { WorkerHostFactory } from '../experiments/execution/worker/host';
import type { BackendChoice } from '../experiments/execution/worker/protocol';
import { createDispatcher, type Dispatcher, type Handlers } from './dispatcher';
import { EventBus } from './event-bus';
import { compareHandlers } from './handlers/compare';
import { experimentHandlers } from './handlers/experiments';
import { browserHostFiles, type HostFileHandlers } from './handlers/host-files';
import { optionHandlers } from './handlers/options';
import { runHandlers } from './handlers/runs';
import { runNoteHandlers } from './handlers/run-notes';
import { similarityHandlers } from './handlers/similarity';
import { studyHandlers } from './handlers/studies';
import { transferHandlers } from './handlers/transfer';
import type { LabContext } from './lab-context';
import { LiveState } from './live-state';
import { experimentSummary } from './summaries';
import type { BackendStatus, LabHost } from './types';
import { probeBackend } from '../experiments/execution/worker/probe-backend';

export interface CreateLabOptions {
  /** SQLite store file (created if missing). */
  dbPath: string;
  workerFactory: WorkerHostFactory;
  host: LabHost;
  backend?: BackendChoice;
  /** Most runs trained together in one stacked model, and whether to stack at all (CLI flags). */
  maxGroupSize?: number;
  lockstep?: boolean;
  /** Native dialogs (Electron); serve answers `unsupported`. */
  hostFiles?: HostFileHandlers;
  /** Folder for files the lab keeps (default: next to the store). */
  dataDir?: string;
  log?: (line: string) => void;
}

export interface Lab {
  dispatcher: Dispatcher;
  events: EventBus;
  store: Store;
  runner: ExperimentRunner;
  /** The backend choice and what it resolves to, once known. */
  readonly backend: BackendStatus;
  /**
   * Asks a fresh worker which backend training will use (serve calls it at start); resolves to
   * the updated status. A training that starts meanwhile settles it too.
   */
  probeBackend(): Promise<BackendStatus>;
  /** Cancels training, waits briefly for the worker to stop, closes the store. */
  close(): Promise<void>;
}

export function createLab(opts: CreateLabOptions): Lab {
  const log = opts.log ?? ((l: string) => console.error(l));
  mkdirSync(dirname(opts.dbPath), { recursive: true });
  const store = openStore(opts.dbPath);
  const runner = new ExperimentRunner({
    store,
    dbPath: opts.dbPath,
    workerFactory: opts.workerFactory,
    backend: opts.backend,
    maxGroupSize: opts.maxGroupSize,
    lockstep: opts.lockstep,
  });
  const events = new EventBus();
  const live = new LiveState();
  const closing = new AbortController();
  const backendStatus: BackendStatus = {
    choice: opts.backend ?? 'auto',
    resolved: null,
    device: null,
    reason: null,
  };
  const ctx: LabContext = {
    store,
    runner,
    live,
    events,
    host: opts.host,
    dataDir: opts.dataDir ?? join(dirname(opts.dbPath), 'homolab-data'),
    log,
    backend: opts.backend ?? 'auto',
    dbPath: opts.dbPath,
    workerFactory: opts.workerFactory,
    backendStatus,
    maxGroupSize: opts.lockstep === false ? 1 : opts.maxGroupSize,
  };
  runner.on((e) => {
    if (e.type === 'backend')
      Object.assign(backendStatus, { resolved: e.backend, device: e.device, reason: e.reason });
    for (const ev of live.apply(e)) events.emit(ev);
    // The session's end settles the experiment's status (completed, failed, …): say so, so a
    // client waiting for it needs no polling.
    // Deferred: the runner still lists the session as active while it announces its end.
    if (e.type === 'experiment-end')
      setImmediate(() => {
        if (closing.signal.aborted) return; // the store is closed (a CLI command ended)
        const row = store.experiments.get(e.experimentId);
        if (!row) return;
        const { status, progress } = experimentSummary(ctx, row);
        events.emit({ type: 'experiment.status', experimentId: e.experimentId, status, progress });
      });
  });
  const handlers: Handlers = {
    ...optionHandlers(ctx),
    ...experimentHandlers(ctx),
    ...runHandlers(ctx),
    ...runNoteHandlers(ctx),
    ...similarityHandlers(ctx),
    ...transferHandlers(ctx),
    ...compareHandlers(ctx),
    ...studyHandlers(ctx),
    ...(opts.hostFiles ?? browserHostFiles),
  };
  const dispatcher = createDispatcher(handlers, (name, err, errorId) =>
    log(
      `homolab: ${name} failed (error id ${errorId}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    ),
  );
  return {
    dispatcher,
    events,
    store,
    runner,
    backend: backendStatus,
    async probeBackend() {
      const p = await probeBackend(opts.workerFactory, opts.dbPath, opts.backend ?? 'auto', {
        signal: closing.signal,
      });
      if (backendStatus.resolved === null)
        Object.assign(
          backendStatus,
          p.ok ? { resolved: p.backend, device: p.device, reason: p.reason } : { reason: p.error },
        );
      return { ...backendStatus };
    },
    async close() {
      closing.abort();
      if (runner.active) {
        const id = runner.active.experimentId;
        const ended = new Promise<void>((resolve) => {
          const off = runner.on((e) => {
            if (e.type === 'experiment-end' && e.experimentId === id) {
              off();
              resolve();
            }
          });
        });
        runner.cancel(undefined, 'the lab was closed');
        await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
      }
      store.close();
    },
  };
}
