/** A real lab (temporary SQLite store, handlers, dispatcher) for API tests, with typed calls. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab } from '../../src/api/lab';
import type { ApiError, OperationName, OpInput, OpOutput } from '../../src/api/contract';
import { nodeWorkerFactory } from '../../src/experiments/execution/worker/node-host';

export interface TestLab {
  lab: Lab;
  dir: string;
  /** Calls an operation; throws (with `.error`) when it fails. */
  call<N extends OperationName>(name: N, input: OpInput<N>): Promise<OpOutput<N>>;
  /** Calls an operation that must fail; returns its error. */
  failure<N extends OperationName>(name: N, input: OpInput<N>): Promise<ApiError>;
  dispose(): Promise<void>;
}

export function openTestLab(prefix = 'homolab-api-'): TestLab {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const lab = createLab({
    dbPath: join(dir, 'lab.sqlite'),
    host: 'serve',
    workerFactory: nodeWorkerFactory(),
    log: () => {},
  });
  const dispatch = (name: OperationName, input: unknown) =>
    lab.dispatcher.dispatch(name, input, { transport: 'direct' });
  return {
    lab,
    dir,
    async call(name, input) {
      const r = await dispatch(name, input);
      if (!r.ok) throw Object.assign(new Error(r.error.message), { error: r.error });
      return r.result as never;
    },
    async failure(name, input) {
      const r = await dispatch(name, input);
      if (r.ok) throw new Error(`${name} was expected to fail`);
      return r.error;
    },
    async dispose() {
      await lab.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
