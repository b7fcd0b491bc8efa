/**
 * Which backend a backend choice resolves to on this machine, asked of a fresh training worker
 * (the process that trains, with its own policy and its own tfjs): `homolab serve` says at start
 * which backend and device its training will use, without loading tfjs or Dawn itself.
 */
import type { WorkerHostFactory } from './host';
import type { BackendChoice } from './protocol';

export type BackendProbe =
  { ok: true; backend: string; device: string; reason: string } | { ok: false; error: string };

/** Starts a worker, initialises `choice` in it, and stops it again. */
export function probeBackend(
  factory: WorkerHostFactory,
  dbPath: string,
  choice: BackendChoice,
  { timeoutMs = 120_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<BackendProbe> {
  const worker = factory();
  return new Promise<BackendProbe>((resolve) => {
    const done = (p: BackendProbe) => {
      clearTimeout(timer);
      offMessage();
      offExit();
      signal?.removeEventListener('abort', onAbort);
      worker.send({ type: 'shutdown' });
      resolve(p);
    };
    const onAbort = () => {
      worker.kill();
      done({ ok: false, error: 'the lab was closed' });
    };
    signal?.addEventListener('abort', onAbort);
    const timer = setTimeout(() => {
      worker.kill();
      done({ ok: false, error: `the backend probe did not answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    timer.unref?.();
    const offMessage = worker.onMessage((m) => {
      if (m.type === 'backend')
        done({ ok: true, backend: m.backend, device: m.device, reason: m.reason });
      else if (m.type === 'fatal') done({ ok: false, error: m.message });
    });
    const offExit = worker.onExit(() =>
      done({ ok: false, error: 'the worker exited before it chose a backend' }),
    );
    worker.send({ type: 'init', dbPath, backend: choice });
  });
}
