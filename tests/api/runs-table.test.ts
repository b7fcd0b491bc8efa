/**
 * What the runs table needs from the API, over a real store (no training: metrics are written
 * directly): run summaries with final and best loss, mean throughput and wall time kept after
 * the run; tags and notes; why a queued run waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/api/lab';
import type { ApiError, OperationName, OpInput, OpOutput } from '../../src/api/contract';
import { nodeWorkerFactory } from '../../src/experiments/execution/worker/node-host';
import { getPreset } from '../../src/experiments/spec/presets';

let dir: string;
let lab: Lab;
const call = async <N extends OperationName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> => {
  const r = await lab.dispatcher.dispatch(name, input, { transport: 'direct' });
  if (!r.ok) throw Object.assign(new Error(r.error.message), { error: r.error });
  return r.result as OpOutput<N>;
};
const failure = async <N extends OperationName>(name: N, input: OpInput<N>): Promise<ApiError> => {
  const r = await lab.dispatcher.dispatch(name, input, { transport: 'direct' });
  if (r.ok) throw new Error(`${name} was expected to fail`);
  return r.error;
};
const spec = () => getPreset('seed-sweep').spec('tiny') as Record<string, unknown>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'homolab-api-runs-'));
  lab = createLab({
    dbPath: join(dir, 'lab.sqlite'),
    host: 'serve',
    workerFactory: nodeWorkerFactory(),
    log: () => {},
  });
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('run summaries for the runs table', () => {
  it('keep final and best loss, wall time and mean throughput after the run', async () => {
    const e = await call('createExperiment', { name: 'losses', spec: spec(), start: false });
    const [a, b] = lab.store.runs.listByExperiment(e.id);
    const losses = [3, 2, 1.25, 1.5];
    lab.store.metrics.insert(
      losses.map((value, i) => ({
        runId: a.id,
        name: 'loss',
        step: i + 1,
        tokens: (i + 1) * 1000,
        wallMs: (i + 1) * 500,
        value,
      })),
    );
    const runs = await call('listRuns', { experimentIds: [e.id] });
    const ra = runs.find((r) => r.id === a.id)!;
    expect(ra.finalLoss).toBe(1.5);
    expect(ra.bestLoss).toBe(1.25);
    expect(ra.wallTimeMs).toBe(2000);
    expect(ra.meanTokensPerSec).toBe(2000);
    const rb = runs.find((r) => r.id === b.id)!;
    expect([rb.finalLoss, rb.bestLoss, rb.meanTokensPerSec]).toEqual([null, null, null]);
    const list = await call('listExperiments', {});
    expect(list.find((x) => x.id === e.id)).toMatchObject({ finalLoss: 1.5, bestLoss: 1.25 });
  });

  it('says why a queued run of an unstarted experiment waits', async () => {
    const e = await call('createExperiment', { name: 'draft', spec: spec(), start: false });
    const [r] = await call('listRuns', { experimentIds: [e.id] });
    expect(r.waitReason?.code).toBe('not_started');
    expect(r.waitReason?.message).toMatch(/press Start/);
  });

  it('stores tags (as a set) and notes on a run', async () => {
    const e = await call('createExperiment', { name: 'tags', spec: spec(), start: false });
    const [r] = await call('listRuns', { experimentIds: [e.id] });
    const tagged = await call('annotateRun', { id: r.id, tags: ['baseline', ' lr ', 'baseline'] });
    expect(tagged.tags).toEqual(['baseline', 'lr']);
    await call('annotateRun', { id: r.id, notes: 'looks odd at step 6' });
    const [back] = await call('listRuns', { experimentIds: [e.id] });
    expect([back.tags, back.notes]).toEqual([['baseline', 'lr'], 'looks odd at step 6']);
    expect((await failure('annotateRun', { id: 99_999, notes: '' })).code).toBe('not_found');
  });
});
