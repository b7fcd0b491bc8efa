/**
 * What the runs table needs from the API, over a real store (no training: metrics are written
 * directly): run summaries with final and best loss, mean throughput and wall time kept after
 * the run; tags and notes; why a queued run waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/experiments/spec/presets';
import { openTestLab, type TestLab } from './test-lab';

let t: TestLab;
let lab: TestLab['lab'];
const call: TestLab['call'] = (name, input) => t.call(name, input);
const failure: TestLab['failure'] = (name, input) => t.failure(name, input);
const spec = () => getPreset('seed-sweep').spec('tiny') as Record<string, unknown>;

beforeAll(() => {
  t = openTestLab('homolab-api-runs-');
  lab = t.lab;
});
afterAll(() => t.dispose());

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
