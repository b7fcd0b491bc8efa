/**
 * Shared plumbing of the commands: global options, opening the store, writing results.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openStore, type Store } from '../../db/store';
import { CliError, EXIT } from './exit-codes';
import { jsonLine } from './progress';
import { resolveStorePath } from './paths';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
}

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

export const defaultIO: CliIO = { stdout: process.stdout, stderr: process.stderr };

/** Opens the store at `--db` (or the default), creating its folder; `mustExist` for reads. */
export function openCliStore(opts: GlobalOptions, mustExist = false): Store {
  const path = resolveStorePath(opts.db);
  if (mustExist && !existsSync(path))
    throw new CliError(`no store at ${path} (nothing trained yet? pass --db FILE)`, EXIT.NOT_FOUND);
  mkdirSync(dirname(path), { recursive: true });
  return openStore(path);
}

/** Runs `fn` with an open store and closes it afterwards. */
export async function withStore<T>(
  opts: GlobalOptions,
  fn: (store: Store) => Promise<T> | T,
  mustExist = false,
): Promise<T> {
  const store = openCliStore(opts, mustExist);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** Prints a result: JSON (one line) with `--json`, else the human text. */
export function emit(io: CliIO, opts: GlobalOptions, json: unknown, human: () => string): void {
  if (opts.json) io.stdout.write(jsonLine(json));
  else io.stdout.write(human() + '\n');
}
