/**
 * The lab behind both transports: opens the store, creates the lab service (training and
 * analysis on a pool of worker processes: Node child processes for serve and the CLI,
 * utilityProcess in Electron), relays its events to the event bus, and assembles every contract
 * handler into one dispatcher.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openStore, type Store } from '../../db/store';
import { LabService } from '../experiments/execution/lab-service';
import type { WorkerHostFactory } from '../experiments/execution/worker/host';
import type { BackendChoice } from '../experiments/execution/worker/protocol';
import { createDispatcher, type Dispatcher, type Handlers } from './dispatcher';
import { EventBus } from './event-bus';
import { compareHandlers } from './handlers/compare';
import { experimentHandlers } from './handlers/experiments';
import { browserHostFiles, type HostFileHandlers } from './handlers/host-files';
import { labHandlers, labStatusOf } from './handlers/lab-status';
import { optionHandlers } from './handlers/options';
import { runHandlers } from './handlers/runs';
import { similarityHandlers } from './handlers/similarity';
import { studyHandlers } from './handlers/studies';
import { transferHandlers } from './handlers/transfer';
import type { LabContext } from './lab-context';
import { LiveState } from './live-state';
import { experimentSummary } from './summaries';

export interface CreateLabOptions {
  /** SQLite store file (created if missing). */
  dbPath: string;
  workerFactory: WorkerHostFactory;
  host: 'electron' | 'serve';
  backend?: BackendChoice;
  /** Pool size for this lab (`--workers N`); default: the saved setting, else one per core. */
  workers?: number;
  /** Analyse experiments after training; default: the saved setting, else on. */
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
    workers: opts.workers,
    autoAnalysis: opts.autoAnalysis,
    settingsFile: join(dataDir, 'lab-settings.json'),
    calibrationFile: join(dataDir, 'calibration-cache.json'),
    log,
  });
  const events = new EventBus();
  const live = new LiveState();
  const ctx: LabContext = { store, lab: service, live, events, host: opts.host, dataDir, log };
  service.on((e) => {
    if (e.type === 'status') {
      events.emit({ type: 'lab.status', status: labStatusOf(ctx) });
      return;
    }
    if (e.type === 'analysis') {
      events.emit({
        type: 'analysis.progress',
        experimentId: e.experimentId,
        done: e.finished ? 1000 : Math.round(e.fraction * 1000),
        total: 1000,
        message: e.message,
        error: e.error,
      });
      return;
    }
    for (const ev of live.apply(e)) events.emit(ev);
    // The session's end settles the experiment's status (completed, failed, …): say so, so a
    // client waiting for it needs no polling.
    // Deferred: the runner still lists the session while it announces its end.
    if (e.type === 'experiment-end')
      setImmediate(() => {
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
    ...similarityHandlers(ctx),
    ...transferHandlers(ctx),
    ...compareHandlers(ctx),
    ...studyHandlers(ctx),
    ...labHandlers(ctx),
    ...(opts.hostFiles ?? browserHostFiles),
  };
  const dispatcher = createDispatcher(handlers, (name, err) =>
    log(
      `homolab: ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    ),
  );
  return {
    dispatcher,
    events,
    store,
    service,
    async close() {
      await service.close();
      store.close();
    },
  };
}
