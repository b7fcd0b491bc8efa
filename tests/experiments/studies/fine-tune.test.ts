/**
 * Fine-tuning as a run kind: a run created with a parent starts from the parent's checkpoint
 * weights (checked with a learning rate so small that one step changes nothing measurable),
 * a scratch run in the same lockstep group keeps its own init, and a parent trained with
 * another tokenizer is refused with a message.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { openStore } from '../../../db/store';
import { createExperiment } from '../../../src/experiments/spec/create';
import { ExperimentRunner } from '../../../src/experiments/execution/runner';
import type { ExperimentSpecInput } from '../../../src/experiments/spec/spec';
import { parentOf, parentRef } from '../../../src/experiments/studies';
import { nodeWorkerFactory } from '../../../src/experiments/execution/worker/node-host';

const dir = mkdtempSync(join(tmpdir(), 'homolab-finetune-'));
const dbPath = join(dir, 'lab.sqlite');
const store = openStore(dbPath);
afterAll(() => store.close());
const runner = new ExperimentRunner({
  store,
  dbPath,
  workerFactory: nodeWorkerFactory(),
  backend: 'wasm',
});

const dataset = (alphabetSize: number) => ({
  kind: 'copy-reverse' as const,
  mode: 'mixed' as const,
  alphabetSize,
  minLength: 2,
  maxLength: 3,
  numTrain: 64,
  numValidation: 16,
});
const model = { dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, contextLength: 8 };

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('fine-tune runs', () => {
  it('start from the parent checkpoint; scratch members of the same group do not', async () => {
    const base = createExperiment(store, {
      name: 'base',
      dataset: dataset(4),
      model,
      training: { steps: 6, batchSize: 4, lr: 1e-2, evalBatches: 1 },
    });
    expect((await runner.start(base.experiment.id)).status).toBe('completed');
    const parent = parentRef(store, base.runs[0].id);
    expect(parent.step).toBe(6);

    const spec: ExperimentSpecInput = {
      name: 'downstream',
      dataset: { ...dataset(4), seed: 7 },
      model,
      // A step this small leaves the weights where they started (up to float32 rounding).
      training: {
        steps: 1,
        batchSize: 4,
        lr: 1e-12,
        weightDecay: 0,
        schedule: 'constant',
        evalBatches: 1,
      },
      axes: { grid: { initSeed: [5, 6] } },
    };
    const ft = createExperiment(store, spec, {
      parentFor: (v) => (v.initSeed === 5 ? parent : null),
    });
    expect(parentOf(ft.runs[0])).toEqual(parent);
    expect(parentOf(ft.runs[1])).toBeNull();
    expect((await runner.start(ft.experiment.id)).status).toBe('completed');

    const pw = store.checkpoints.atStep(parent.runId, parent.step)!.weights;
    const fw = store.checkpoints.latest(ft.runs[0].id)!.weights;
    const sw = store.checkpoints.latest(ft.runs[1].id)!.weights;
    for (const key of Object.keys(pw)) {
      expect(maxAbsDiff(fw[key].data, pw[key].data)).toBeLessThan(1e-6);
    }
    expect(maxAbsDiff(sw['param/tok_emb'].data, pw['param/tok_emb'].data)).toBeGreaterThan(1e-2);
  }, 60_000);

  it('refuses a parent trained with another tokenizer', async () => {
    const parentRun = store.runs.listByExperiment(1)[0];
    const ft = createExperiment(
      store,
      {
        name: 'other vocab',
        dataset: dataset(6),
        model,
        training: { steps: 1, batchSize: 4, evalBatches: 1 },
      },
      { parentFor: () => parentRef(store, parentRun.id) },
    );
    const outcome = await runner.start(ft.experiment.id);
    expect(outcome.counts.failed).toBe(1);
    const run = store.runs.require(ft.runs[0].id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/tokenizers differ/);
  }, 60_000);

  it('`homolab run --from run-N@step` fine-tunes every run of a new experiment from that checkpoint', async () => {
    const parentRun = store.runs.listByExperiment(1)[0];
    const file = join(dir, 'ft.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'from cli',
        dataset: dataset(4),
        model,
        training: { steps: 2, batchSize: 4, evalBatches: 1 },
        axes: { grid: { initSeed: [1, 2] } },
      }),
    );
    const out: string[] = [];
    const io = {
      stdout: Object.assign(new PassThrough(), { isTTY: false }),
      stderr: new PassThrough(),
    };
    io.stdout.on('data', (b: Buffer) => out.push(b.toString()));
    const args = ['run', file, '--backend', 'wasm', '--db', dbPath, '--json'];
    expect(await main([...args, '--from', `run-${parentRun.id}@6`], io)).toBe(0);
    const created = JSON.parse(out.join('').split('\n')[0]) as { experimentId: number };
    const runs = store.runs.listByExperiment(created.experimentId);
    expect(runs.map((r) => [r.parentRunId, r.parentStep, r.status])).toEqual([
      [parentRun.id, 6, 'completed'],
      [parentRun.id, 6, 'completed'],
    ]);
    // No such checkpoint: a clear error, nothing created.
    const before = store.experiments.list().length;
    expect(await main([...args, '--from', `run-${parentRun.id}@5`], io)).not.toBe(0);
    expect(store.experiments.list().length).toBe(before);
  }, 60_000);
});
