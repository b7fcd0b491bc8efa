/**
 * WorkerHost over an Electron `utilityProcess` (the desktop app). Electron is passed in rather
 * than imported, so this module loads outside Electron and src/experiments stays free of an
 * Electron runtime dependency; electron/main calls
 * `electronWorkerFactory(utilityProcess, path.join(__dirname, 'worker-main.js'))` with the
 * bundled worker entry (src/experiments/execution/worker/worker-main.ts built to JS).
 */
import type { UtilityProcess } from 'electron';
import { ExitNotifier, type WorkerExit, type WorkerHost, type WorkerHostFactory } from './host';
import type { HostToWorker, WorkerToHost } from './protocol';

/** The part of Electron's `utilityProcess` module we use. */
export interface UtilityProcessModule {
  fork(
    modulePath: string,
    args?: string[],
    options?: {
      serviceName?: string;
      stdio?: 'pipe' | 'ignore' | 'inherit';
      env?: NodeJS.ProcessEnv;
    },
  ): UtilityProcess;
}

class ElectronWorkerHost implements WorkerHost {
  private child: UtilityProcess;
  private readonly exit = new ExitNotifier();

  constructor(up: UtilityProcessModule, entry: string) {
    this.child = up.fork(entry, [], { serviceName: 'Homolab training worker', stdio: 'inherit' });
    this.child.on('exit', (code: number) => {
      // utilityProcess reports no signal; a crash shows as a non-zero code.
      this.exit.fire({ code, signal: null });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(msg: HostToWorker): void {
    if (!this.exit.exited) this.child.postMessage(msg);
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
    if (!this.exit.exited) this.child.kill();
  }
}

/** A factory of Electron utility-process workers running the bundled `entry`. */
export function electronWorkerFactory(up: UtilityProcessModule, entry: string): WorkerHostFactory {
  return () => new ElectronWorkerHost(up, entry);
}
