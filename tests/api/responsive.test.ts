/**
 * The lab answers while a long analysis runs: `homolab serve`'s HTTP API, a real store, real
 * worker processes. The analysis runs in the pool's workers, not in the serving process, so
 * every request made meanwhile — the list the UI polls, the options of the New-experiment form,
 * the queue — comes back within 1 s. (The browser version of this check is in tests/e2e.)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/api/contract';
import { startServer, type Served } from '../../src/server';
import { getPreset } from '../../src/experiments/spec/presets';
import { apiPost, login, tempServeDir } from '../server/http-helpers';

let dir: string;
let served: Served;
let cookie: string;

const call = async (op: string, payload: unknown) => {
  const t0 = performance.now();
  const res = await apiPost(served.port, op, payload, {
    Cookie: cookie,
    Origin: `http://127.0.0.1:${served.port}`,
  });
  const ms = performance.now() - t0;
  const body = JSON.parse(res.body) as { ok: boolean; result: unknown; error?: unknown };
  if (!body.ok) throw new Error(`${op}: ${JSON.stringify(body.error)}`);
  return { result: body.result, ms };
};

const next = (pred: (e: LabEvent) => boolean) =>
  new Promise<LabEvent>((resolve) => {
    const off = served.lab.events.on((e) => {
      if (pred(e)) {
        off();
        resolve(e);
      }
    });
  });

beforeAll(async () => {
  const stub = tempServeDir('homolab-responsive-');
  dir = stub.dir;
  const rendererDir = stub.rendererDir;
  served = await startServer({
    dbPath: join(dir, 'lab.sqlite'),
    rendererDir,
    backend: 'wasm',
    autoAnalysis: false,
    log: () => {},
  });
  cookie = await login(served.port, served.token);
});

afterAll(async () => {
  await served?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serve during a long analysis', () => {
  it('answers every request within 1 s', async () => {
    const spec = getPreset('seed-sweep').spec('tiny') as Record<string, unknown> & {
      axes: unknown;
      model: Record<string, unknown>;
      training: Record<string, unknown>;
      analysis: unknown;
    };
    spec.axes = { grid: { initSeed: [0, 1, 2, 3] } };
    spec.model = { ...spec.model, dModel: 64, dFF: 128 };
    spec.training = { ...spec.training, steps: 24, checkpointEvery: 12, evalEvery: 12 };
    // Permutation matching and loss barriers for every pair: seconds of work that, in the
    // serving process, would not yield to the event loop once (every request would wait).
    spec.analysis = { measures: ['aligned-weights', 'jsd'], probeSize: 64 };
    const trained = next((e) => e.type === 'experiment.status' && e.status === 'completed');
    const { result } = await call('createExperiment', { name: 'long analysis', spec });
    const id = (result as { id: number }).id;
    await trained;

    const finished = next(
      (e) => e.type === 'analysis.progress' && e.experimentId === id && e.done >= e.total,
    );
    let over = false;
    void finished.then(() => (over = true));
    const t0 = performance.now();
    await call('analyzeExperiment', { experimentId: id });
    const latencies: number[] = [];
    while (!over) {
      for (const op of ['listExperiments', 'getOptions', 'getLabStatus'])
        latencies.push((await call(op, {})).ms);
      await new Promise((r) => setTimeout(r, 100));
    }
    const analysisMs = performance.now() - t0;
    const end = await finished;
    expect(end.type === 'analysis.progress' && end.error).toBeNull();
    // A long analysis (so the check means something), and every answer within 1 s.
    expect(analysisMs).toBeGreaterThan(2000);
    expect(latencies.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    console.log(
      `analysis ${(analysisMs / 1000).toFixed(1)} s; ${latencies.length} requests, slowest ${Math.max(...latencies).toFixed(0)} ms`,
    );
  }, 300_000);
});
