/**
 * Reaching the `homolab serve` that holds a store. Training lives in the process that started
 * it: `homolab pause exp-3` in a second terminal must act on the serve's lab, not on a fresh
 * in-process one that trains nothing. So serve writes a small control file next to the store
 * (`<store>.serve.json`, readable by the user only: it holds the launch token) and removes it
 * when it stops; the CLI's pause, cancel and delete send their API operation to that serve
 * (HTTP, `Authorization: Bearer <token>`) when its process is alive, and use their own lab
 * otherwise.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ApiResponse, LabEvent, OperationName } from '../api/contract';
import { createClient, type LabClient } from '../api/client';

export interface ServeControl {
  pid: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  token: string;
}

export const controlFileOf = (dbPath: string) => `${dbPath}.serve.json`;

/** Announces this process's serve for `dbPath`; returns the function that withdraws it. */
export function advertiseServe(dbPath: string, control: Omit<ServeControl, 'pid'>): () => void {
  const file = controlFileOf(dbPath);
  writeFileSync(file, JSON.stringify({ pid: process.pid, ...control }) + '\n', { mode: 0o600 });
  return () => {
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as ServeControl).pid === process.pid)
        rmSync(file, { force: true });
    } catch {
      // Gone already, or replaced by another serve: nothing of ours to remove.
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live serve holding `dbPath`, if there is one (a stale file is ignored). */
export function findServe(dbPath: string): ServeControl | null {
  let c: Partial<ServeControl>;
  try {
    c = JSON.parse(readFileSync(controlFileOf(dbPath), 'utf8')) as Partial<ServeControl>;
  } catch {
    return null;
  }
  if (typeof c.pid !== 'number' || typeof c.origin !== 'string' || typeof c.token !== 'string')
    return null;
  return alive(c.pid) ? (c as ServeControl) : null;
}

/** A client for a serve's API (operations only: these commands need no events). */
export function serveClient(serve: ServeControl): LabClient {
  return createClient({
    async invoke(name: OperationName, payload: unknown): Promise<ApiResponse> {
      const res = await fetch(`${serve.origin}/api/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${serve.token}`,
        },
        body: JSON.stringify(payload ?? {}),
      });
      const text = await res.text();
      try {
        return JSON.parse(text) as ApiResponse;
      } catch {
        return {
          ok: false,
          error: { code: 'internal', message: `the serve at ${serve.origin} answered: ${text}` },
        };
      }
    },
    subscribe: (_listener: (e: LabEvent) => void) => () => undefined,
  });
}
