/** A real lab (SQLite store, handlers, dispatcher) behind the renderer's client, for store tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type LabClient } from '../../src/api/client';
import { createLab, type Lab } from '../../src/api/lab';
import { nodeWorkerFactory } from '../../src/experiments/execution/worker/node-host';

export function realLab(): { lab: Lab; client: LabClient; dispose: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'homolab-renderer-'));
  const lab = createLab({
    dbPath: join(dir, 'lab.sqlite'),
    host: 'serve',
    workerFactory: nodeWorkerFactory(),
    log: () => {},
  });
  const client = createClient({
    invoke: (name, payload) =>
      lab.dispatcher.dispatch(name, JSON.parse(JSON.stringify(payload ?? {})), {
        transport: 'direct',
      }),
    subscribe: (l) => lab.events.on(l),
  });
  return {
    lab,
    client,
    dispose: async () => {
      await lab.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
