/** Picks the transport: IPC inside Electron, HTTP + WebSocket in a browser (`homolab serve`). */
import { createClient, type LabClient } from '../../../src/api/client';
import { createHttpTransport } from './http-transport';
import { createIpcTransport } from './ipc-transport';

let client: LabClient | null = null;

export function getClient(): LabClient {
  client ??= createClient(
    window.homolab ? createIpcTransport(window.homolab) : createHttpTransport(),
  );
  return client;
}

/** Tests and benchmarks inject their own client. */
export function setClient(c: LabClient): void {
  client = c;
}
