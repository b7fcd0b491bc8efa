/**
 * `homolab serve`: the lab (store + lab service with its Node child-process workers) behind the HTTP +
 * WebSocket transport, serving the built renderer. The CLI's `serve` command calls
 * `startServer` and prints `url`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, type Lab } from '../api/lab';
import type { WorkerHostFactory } from '../experiments/execution/worker/host';
import { nodeWorkerFactory } from '../experiments/execution/worker/node-host';
import type { BackendChoice } from '../experiments/execution/worker/protocol';
import { startHttpTransport, type RunningServer } from './http-server';
import type { FailureLimiter } from './security';

export interface StartServerOptions {
  /** The store file. */
  dbPath: string;
  /** Address to bind (default 127.0.0.1; anything else prints a warning). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  backend?: BackendChoice;
  /** Worker processes at once (default: the saved setting, else one per core). */
  workers?: number;
  /** Analyse experiments after training (default: the saved setting, else on). */
  autoAnalysis?: boolean;
  /** Built renderer folder (default: dist/renderer of this checkout/package). */
  rendererDir?: string;
  /** Fixed token (tests); random per launch otherwise. */
  token?: string;
  /** Extra Host header names to accept (reverse proxies). */
  extraHosts?: string[];
  workerFactory?: WorkerHostFactory;
  limiter?: FailureLimiter;
  log?: (line: string) => void;
}

export interface Served extends RunningServer {
  lab: Lab;
}

/** The built renderer next to this module, whether run from source or from a build. */
export function defaultRendererDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [
    join(here, '../../dist/renderer'),
    join(here, '../renderer'),
    join(here, 'renderer'),
  ];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[0];
}

export async function startServer(opts: StartServerOptions): Promise<Served> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const lab = createLab({
    dbPath: opts.dbPath,
    host: 'serve',
    backend: opts.backend,
    workers: opts.workers,
    autoAnalysis: opts.autoAnalysis,
    workerFactory: opts.workerFactory ?? nodeWorkerFactory(),
    log,
  });
  let server: RunningServer;
  try {
    server = await startHttpTransport({
      dispatcher: lab.dispatcher,
      events: lab.events,
      rendererDir: opts.rendererDir ?? defaultRendererDir(),
      host: opts.host,
      port: opts.port,
      token: opts.token,
      extraHosts: opts.extraHosts,
      limiter: opts.limiter,
      log,
    });
  } catch (err) {
    await lab.close();
    throw err;
  }
  return {
    ...server,
    lab,
    close: async () => {
      await server.close();
      await lab.close();
    },
  };
}
