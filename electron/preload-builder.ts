/**
 * Builds the object the preload exposes: exactly one method per contract operation plus
 * `onEvent`. Methods only forward (name, payload) over one invoke channel; `ipcRenderer`
 * itself never reaches the page. Separate from preload.ts so tests can check it without
 * Electron.
 */
import type { LabEvent, OperationName } from '../src/api/contract';
import { IPC_EVENT, IPC_INVOKE, type PreloadApi } from './preload-api';

/** The part of ipcRenderer the preload uses. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * `names` is the contract's OPERATION_NAMES; the build inlines them so the sandboxed preload
 * does not bundle zod and the schemas.
 */
export function buildPreloadApi(ipc: PreloadIpc, names: readonly OperationName[]): PreloadApi {
  const api: Record<string, unknown> = {};
  for (const name of names)
    api[name] = (input?: unknown) => ipc.invoke(IPC_INVOKE, name, input ?? {});
  api.onEvent = (listener: (e: LabEvent) => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const h = (_event: unknown, payload: unknown) => listener(payload as LabEvent);
    ipc.on(IPC_EVENT, h);
    return () => {
      ipc.removeListener(IPC_EVENT, h);
    };
  };
  return Object.freeze(api) as PreloadApi;
}
