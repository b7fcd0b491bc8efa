/**
 * The lab behind the CLI's commands: the same API operations the UI calls (src/api/contract),
 * dispatched to an in-process lab over the store (`createLab` with the Node worker factory), so
 * the command line and the app validate, estimate, train and analyse through one code path. A
 * failed operation throws `ApiCallError`; main.ts turns its code into the exit status.
 */
import { existsSync } from 'node:fs';
import { createClient, type LabClient } from '../api/client';
import { createLab } from '../api/lab';
import type { RunnerEvent } from '../experiments/execution/events';
import { nodeWorkerFactory } from '../experiments/execution/worker/node-host';
import { BACKEND_CHOICES, type BackendChoice } from '../experiments/execution/worker/protocol';
import type { CliIO, GlobalOptions } from './context';
import { CliError, EXIT } from './exit-codes';
import { resolveStorePath } from './paths';

export interface LabCommandOptions extends GlobalOptions {
  backend?: string;
  maxGroup?: string;
  lockstep?: boolean;
  workers?: string;
}

export interface CliLab extends LabClient {
  /** The store file. */
  readonly dbPath: string;
  /** The lab's training events as the runner publishes them (progress bars, JSON lines). */
  onTraining(listener: (e: RunnerEvent) => void): () => void;
  /** Stops what this lab still trains and closes the store. */
  close(): Promise<void>;
}

export function parseBackend(b: string | undefined): BackendChoice {
  const v = (b ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(v))
    throw new CliError(
      `unknown backend '${b}'; choose one of ${BACKEND_CHOICES.join(', ')}`,
      EXIT.USAGE,
    );
  return v;
}

/** `--workers N`: worker processes at once (1..256); default the lab's (one per core). */
export function parseWorkers(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new CliError(`--workers must be an integer from 1 to 256, got '${text}'`, EXIT.USAGE);
  return n;
}

export function parseMaxGroup(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`--max-group must be an integer ≥ 1, got '${text}'`, EXIT.USAGE);
  return n;
}

/**
 * Opens the lab over `--db` (or the default store). `mustExist` for commands that only read:
 * they should not create an empty store where the user mistyped a path.
 */
export function openLab(opts: LabCommandOptions, io: CliIO, mustExist = false): CliLab {
  const dbPath = resolveStorePath(opts.db);
  if (mustExist && !existsSync(dbPath))
    throw new CliError(
      `no store at ${dbPath} (nothing trained yet? pass --db FILE)`,
      EXIT.NOT_FOUND,
    );
  const lab = createLab({
    dbPath,
    host: 'cli',
    workerFactory: nodeWorkerFactory(),
    backend: parseBackend(opts.backend),
    maxGroupSize: parseMaxGroup(opts.maxGroup),
    // `--no-lockstep` forces every run alone; otherwise the pool decides (stacks on a GPU).
    lockstep: opts.lockstep === false ? false : undefined,
    workers: parseWorkers(opts.workers),
    log: (line) => io.stderr.write(`${line}\n`),
  });
  const client = createClient({
    invoke: (name, payload) => lab.dispatcher.dispatch(name, payload, { transport: 'direct' }),
    subscribe: (listener) => lab.events.on(listener),
  });
  return {
    ...client,
    dbPath,
    onTraining: (listener) =>
      lab.service.on((e) => {
        if (e.type !== 'analysis' && e.type !== 'status') listener(e);
      }),
    close: () => lab.close(),
  };
}

/** Runs `fn` with an open lab and closes it afterwards. */
export async function withLab<T>(
  opts: LabCommandOptions,
  io: CliIO,
  fn: (lab: CliLab) => Promise<T>,
  mustExist = false,
): Promise<T> {
  const lab = openLab(opts, io, mustExist);
  try {
    return await fn(lab);
  } finally {
    await lab.close();
  }
}
