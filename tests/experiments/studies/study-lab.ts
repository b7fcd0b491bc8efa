/** A real store with a lab service on wasm workers, for study tests; closed after the file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openStore } from '../../../db/store';
import { LabService } from '../../../src/experiments/execution/lab-service';
import { nodeWorkerFactory } from '../../../src/experiments/execution/worker/node-host';

export function studyLab(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dbPath = join(dir, 'lab.sqlite');
  const store = openStore(dbPath);
  // Studies analyse with their own options: no automatic analysis after training.
  const lab = new LabService({
    store,
    dbPath,
    backend: 'wasm',
    workerFactory: nodeWorkerFactory(),
    autoAnalysis: false,
  });
  afterAll(async () => {
    await lab.close();
    store.close();
  });
  return { dir, dbPath, store, lab };
}
