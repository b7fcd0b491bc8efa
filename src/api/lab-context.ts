/** What every handler gets: the open store, the lab service, live training state and the event bus. */
import type { Store } from '../../db/store';
import type { LabService } from '../experiments/execution/lab-service';
import type { EventBus } from './event-bus';
import type { LiveState } from './live-state';
import type { BackendStatus, LabHost } from './types';

export interface LabContext {
  store: Store;
  /** Training and analysis: one queue, one worker pool, one backend policy. */
  lab: LabService;
  live: LiveState;
  events: EventBus;
  /** Which shell serves the API: the desktop app, `homolab serve` or another CLI command. */
  host: LabHost;
  /** Folder for files the lab writes itself (imported corpora, settings, calibrations). */
  dataDir: string;
  log: (line: string) => void;
  /** The lab's backend choice and what it resolves to, once known (getOptions shows it). */
  backendStatus: BackendStatus;
}
