/**
 * WorkerHost over a Node child process (`child_process.fork`), used by the CLI and `serve`.
 * TypeScript sources run through tsx's loader, registered in the child by absolute URL so it
 * works whatever the current directory is; a built `.js` entry runs as is.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ExitNotifier, type WorkerExit, type WorkerHost, type WorkerHostFactory } from './host';
import type { HostToWorker, WorkerToHost } from './protocol';
import { dawnNoiseFilter } from './stderr-filter';

/**
 * The worker entry: next to this file (`worker-main.ts` from source), or, when this code runs
 * inside a bundle (the prebuilt CLI in dist/cli, where it sits in one of the bundle's chunks),
 * the `worker-main.js` the build emits next to the bundle's files.
 */
export function defaultWorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (/node-host\.(ts|js|mjs)$/.test(here))
    return here.replace(/node-host\.(ts|js|mjs)$/, 'worker-main.$1');
  return join(dirname(here), 'worker-main.js');
}

function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export interface NodeWorkerOptions {
  entry?: string;
  /** Extra environment for the child (merged over process.env). */
  env?: Record<string, string>;
  /**
   * Forward the child's stderr to ours (default true), without Dawn's GPU-discovery warnings
   * (stderr-filter.ts); stdout is always ignored.
   */
  inheritStderr?: boolean;
}

class NodeWorkerHost implements WorkerHost {
  private child: ChildProcess;
  private readonly exit = new ExitNotifier();

  constructor(opts: NodeWorkerOptions) {
    const entry = opts.entry ?? defaultWorkerEntry();
    const execArgv = entry.endsWith('.ts') ? ['--import', tsxLoaderUrl()] : [];
    const forward = opts.inheritStderr !== false;
    const raw = forward && process.env.HOMOLAB_DEBUG === '1';
    this.child = fork(entry, [], {
      execArgv,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'ignore', raw ? 'inherit' : forward ? 'pipe' : 'ignore', 'ipc'],
      serialization: 'json',
    });
    if (forward && !raw && this.child.stderr) {
      const filter = dawnNoiseFilter((text) => process.stderr.write(text));
      this.child.stderr.setEncoding('utf8');
      this.child.stderr.on('data', (d: string) => filter.push(d));
      this.child.stderr.on('end', () => filter.end());
    }
    this.child.on('exit', (code, signal) => {
      this.exit.fire({ code, signal });
    });
    // Spawn failures surface as 'error' then 'exit'; keep them from crashing the host.
    this.child.on('error', () => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(msg: HostToWorker): void {
    if (this.exit.exited || !this.child.connected) return;
    this.child.send(msg);
  }

  onMessage(cb: (msg: WorkerToHost) => void): () => void {
    const h = (m: unknown) => cb(m as WorkerToHost);
    this.child.on('message', h);
    return () => this.child.off('message', h);
  }

  onExit(cb: (exit: WorkerExit) => void): () => void {
    return this.exit.subscribe(cb);
  }

  kill(): void {
    if (!this.exit.exited) this.child.kill('SIGKILL');
  }
}

/** A factory of Node child-process workers. */
export function nodeWorkerFactory(opts: NodeWorkerOptions = {}): WorkerHostFactory {
  return () => new NodeWorkerHost(opts);
}
