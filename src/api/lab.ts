/**
 * The lab behind every transport and the CLI: opens the store, creates the lab service
 * (training and analysis on a pool of worker processes: Node child processes for serve and the
 * CLI, utilityProcess in Electron), relays its events to the event bus, and assembles every
 * contract handler into one dispatcher.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openStore, type Store } from '../../db/store';
import { LabService } from '../experiments/execution/lab-service';
import type { WorkerHostFactory } from '../experiments/execution/worker/host';
import { probeBackend } from '../experiments/execution/worker/probe-backend';
import type { BackendChoice } from '../experiments/execution/worker/protocol';
import { createDispatcher, type Dispatcher, type Handlers } from './dispatcher';
import { EventBus } from './event-bus';
import { compareHandlers } from './handlers/compare';
import { experimentHandlers } from './handlers/experiments';
import { browserHostFiles, type HostFileHandlers } from './handlers/host-files';
import { labHandlers, labStatusOf } from './handlers/lab-status';
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

export interface CreateLabOptions {
  /** SQLite store file (created if missing). */
  dbPath: string;
  workerFactory: WorkerHostFactory;
  host: LabHost;
  backend?: BackendChoice;
  /** Most runs trained together in one stacked model, and whether to stack at all (CLI flags). */
  maxGroupSize?: number;
  lockstep?: boolean;
  /** Pool size for this lab (`--workers N`); default: the saved setting, else one per core. */
  workers?: number;
  /**
   * Analyse experiments after training; default: the saved setting, else on — off for a CLI
   * command's lab, which closes when its command is done.
   */
  autoAnalysis?: boolean;
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
  /** Training and analysis (the CLI and scripts reach the same queue the UI sees). */
  service: LabService;
  /** The backend choice and what it resolves to, once known. */
  readonly backend: BackendStatus;
  /**
   * Asks a fresh worker which backend training will use (serve calls it at start); resolves to
   * the updated status. A training that starts meanwhile settles it too.
   */
  probeBackend(): Promise<BackendStatus>;
  /** Cancels training and analyses, waits briefly for the workers to stop, closes the store. */
  close(): Promise<void>;
}

export function createLab(opts: CreateLabOptions): Lab {
  const log = opts.log ?? ((l: string) => console.error(l));
  mkdirSync(dirname(opts.dbPath), { recursive: true });
  const store = openStore(opts.dbPath);
  const dataDir = opts.dataDir ?? join(dirname(opts.dbPath), 'homolab-data');
  mkdirSync(dataDir, { recursive: true });
  const service = new LabService({
    store,
    dbPath: opts.dbPath,
    workerFactory: opts.workerFactory,
    backend: opts.backend,
    maxGroupSize: opts.maxGroupSize,
    lockstep: opts.lockstep,
    workers: opts.workers,
    autoAnalysis: opts.autoAnalysis ?? (opts.host === 'cli' ? false : undefined),
    settingsFile: join(dataDir, 'lab-settings.json'),
    calibrationFile: join(dataDir, 'calibration-cache.json'),
    log,
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
    lab: service,
    live,
    events,
    host: opts.host,
    dataDir,
    log,
    backendStatus,
  };
  service.on((e) => {
    if (closing.signal.aborted) return; // the store is closed (a CLI command ended)
    if (e.type === 'status') {
      events.emit({ type: 'lab.status', status: labStatusOf(ctx) });
      return;
    }
    if (e.type === 'analysis') {
      const r = e.result;
      events.emit({
        type: 'analysis.progress',
        experimentId: e.experimentId,
        done: e.finished ? 1000 : Math.round(e.fraction * 1000),
        total: 1000,
        message: e.message,
        error: e.error,
        ...(r
          ? {
              result: {
                backend: e.backend?.backend ?? backendStatus.resolved ?? backendStatus.choice,
                device: e.backend?.device ?? backendStatus.device ?? '',
                steps: r.steps,
                runIds: r.runIds,
                created: r.created,
                reused: r.reused,
                samplesCreated: r.samplesCreated,
                ms: r.ms,
                probe: { hash: r.probe.hash, repTokens: r.probe.repTokens },
                notes: r.notes,
              },
            }
          : {}),
      });
      return;
    }
    if (e.type === 'backend')
      Object.assign(backendStatus, { resolved: e.backend, device: e.device, reason: e.reason });
    for (const ev of live.apply(e)) events.emit(ev);
    // The session's end settles the experiment's status (completed, failed, …): say so, so a
    // client waiting for it needs no polling.
    // Deferred: the runner still lists the session while it announces its end.
    if (e.type === 'experiment-end')
      setImmediate(() => {
        if (closing.signal.aborted) return;
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
    ...labHandlers(ctx),
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
    service,
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
      // Cancelling emits the sessions' last events: let the clients see them, then close.
      await service.close();
      closing.abort();
      store.close();
    },
  };
}
