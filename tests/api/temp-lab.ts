/** A real lab (store, runner with Node worker processes) in a temp folder, for API tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab } from '../../src/api/lab';
import { nodeWorkerFactory } from '../../src/experiments/execution/worker/node-host';

export function tempLab(prefix = 'homolab-api-'): {
  lab: Lab;
  dir: string;
  close(): Promise<void>;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const lab = createLab({
    dbPath: join(dir, 'lab.sqlite'),
    host: 'serve',
    workerFactory: nodeWorkerFactory(),
    log: () => {},
  });
  return {
    lab,
    dir,
    async close() {
      await lab.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
