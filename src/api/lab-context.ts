/** What every handler gets: the open store, the runner, live training state and the event bus. */
import type { Store } from '../../db/store';
import type { ExperimentRunner } from '../experiments/execution/runner';
import type { EventBus } from './event-bus';
import type { LiveState } from './live-state';
import type { BackendChoice } from '../experiments/execution/worker/protocol';
import type { WorkerHostFactory } from '../experiments/execution/worker/host';
import type { BackendStatus, LabHost } from './types';

export interface LabContext {
  store: Store;
  runner: ExperimentRunner;
  live: LiveState;
  events: EventBus;
  /** Which shell serves the API: the desktop app, `homolab serve` or another CLI command. */
  host: LabHost;
  /** Folder for files the lab writes itself (imported corpora). */
  dataDir: string;
  log: (line: string) => void;
  /** The lab's backend choice (training worker; analysis uses it too, 'auto' → wasm). */
  backend: BackendChoice;
  /** What the choice resolves to, once known (getOptions shows it). */
  backendStatus: BackendStatus;
  /** The store's file and the worker factory: studies train through their own runner. */
  dbPath: string;
  workerFactory: WorkerHostFactory;
  /** Most runs the runner stacks in one model (the cost gate estimates memory per group). */
  maxGroupSize?: number;
}
