/**
 * The handlers over a real store (no training here; the e2e suite trains): experiment CRUD
 * through the dispatcher, spec validation naming fields, metrics downsampled from real rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/api/lab';
import type { OperationName, OpInput } from '../../src/api/contract';
import { nodeWorkerFactory } from '../../src/experiments/execution/worker/node-host';
import { getPreset } from '../../src/experiments/spec/presets';

let dir: string;
let lab: Lab;
const call = async <N extends OperationName>(name: N, input: OpInput<N>) => {
  const r = await lab.dispatcher.dispatch(name, input, { transport: 'direct' });
  if (!r.ok) throw Object.assign(new Error(r.error.message), { error: r.error });
  return r.result as never;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'homolab-api-'));
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

describe('lab handlers', () => {
  it('offers presets, datasets, measures and axis fields', async () => {
    const o = (await call('getOptions', {})) as {
      presets: { id: string }[];
      measures: { id: string }[];
      axisFields: string[];
      host: string;
    };
    expect(o.presets.map((p) => p.id)).toContain('seed-sweep');
    expect(o.measures.map((m) => m.id)).toEqual(
      expect.arrayContaining(['linear-cka', 'top1-agreement']),
    );
    expect(o.axisFields).toEqual(expect.arrayContaining(['initSeed', 'model.dModel']));
    expect(o.host).toBe('serve');
  });

  it('creates, renames, annotates, duplicates and deletes experiments', async () => {
    const spec = getPreset('seed-sweep').spec('tiny') as Record<string, unknown>;
    const created = (await call('createExperiment', { name: 'Sweep A', spec, start: false })) as {
      id: number;
      status: string;
      runCount: number;
    };
    expect(created.status).toBe('draft');
    expect(created.runCount).toBe(3);
    await call('renameExperiment', { id: created.id, name: 'Sweep B' });
    await call('annotateExperiment', { id: created.id, notes: 'seeds 0–2' });
    const copy = (await call('duplicateExperiment', { id: created.id })) as {
      id: number;
      name: string;
    };
    expect(copy.name).toBe('Sweep B (copy)');
    const list = (await call('listExperiments', {})) as {
      id: number;
      name: string;
      notes: string;
    }[];
    expect(list.map((e) => e.name).sort()).toEqual(['Sweep B', 'Sweep B (copy)']);
    expect(list.find((e) => e.id === created.id)?.notes).toBe('seeds 0–2');
    const detail = (await call('getExperiment', { id: created.id })) as {
      runs: { axes: object; config: Record<string, unknown> }[];
    };
    expect(detail.runs.map((r) => r.axes)).toEqual([
      { initSeed: 0 },
      { initSeed: 1 },
      { initSeed: 2 },
    ]);
    expect(detail.runs[0].config['model.dModel']).toBe(16);
    await call('deleteExperiment', { id: copy.id });
    expect(((await call('listExperiments', {})) as unknown[]).length).toBe(1);
    await expect(call('getExperiment', { id: copy.id })).rejects.toMatchObject({
      error: { code: 'not_found' },
    });
  });

  it('rejects an impossible spec naming the field', async () => {
    const spec = {
      ...(getPreset('seed-sweep').spec('tiny') as Record<string, unknown>),
      model: { dModel: 10, nHeads: 3 },
    };
    const err = await call('estimateCost', { spec }).catch((e) => e);
    expect(err.error.code).toBe('invalid_input');
    expect(err.error.message).toMatch(/dModel/);
  });

  it('estimates cost', async () => {
    const e = (await call('estimateCost', {
      spec: getPreset('seed-sweep').spec('tiny') as Record<string, unknown>,
      backend: 'wasm',
    })) as {
      runCount: number;
      parameters: number;
      flops: number;
      seconds: number;
    };
    expect(e.runCount).toBe(3);
    expect(e.parameters).toBeGreaterThan(1000);
    expect(e.flops).toBeGreaterThan(0);
    expect(e.seconds).toBeGreaterThan(0);
  });

  it('serves stored metrics downsampled with their envelope, by step and by tokens', async () => {
    const [exp] = lab.store.experiments.list();
    const run = lab.store.runs.listByExperiment(exp.id)[0];
    const points = Array.from({ length: 5000 }, (_, i) => ({
      runId: run.id,
      name: 'loss',
      step: i + 1,
      tokens: (i + 1) * 32,
      wallMs: i * 10,
      value: i === 2500 ? 99 : 3 - i / 5000,
    }));
    lab.store.metrics.insert(points);
    for (const x of ['step', 'tokens'] as const) {
      const [s] = (await call('getMetrics', { runIds: [run.id], x, maxPoints: 50 })) as {
        x: number[];
        max: number[];
        rawCount: number;
      }[];
      expect(s.rawCount).toBe(5000);
      expect(s.x.length).toBeLessThanOrEqual(50);
      expect(Math.max(...s.max)).toBe(99);
    }
  });

  it('answers host-only operations with unsupported under serve', async () => {
    const r = await lab.dispatcher.dispatch('openFile', {}, { transport: 'http' });
    expect(r).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('shows the lab status and keeps the settings the app changes', async () => {
    const status = (await call('getLabStatus', {})) as {
      workers: { size: number; defaultSize: number };
      settings: { workers: number | null; autoAnalysis: boolean };
      queue: unknown[];
    };
    expect(status.workers.size).toBe(status.workers.defaultSize);
    expect(status.settings).toEqual({ workers: null, autoAnalysis: true });
    expect(status.queue).toEqual([]);
    await expect(call('updateLabSettings', { workers: 0 })).rejects.toMatchObject({
      error: { code: 'invalid_input' },
    });
    expect(await call('updateLabSettings', { workers: 1, autoAnalysis: false })).toEqual({
      workers: 1,
      autoAnalysis: false,
    });
    expect(((await call('getLabStatus', {})) as { workers: { size: number } }).workers.size).toBe(
      1,
    );
    // Saved next to the store: the next lab on it starts with them (a lab-only option is not saved).
    const next = createLab({
      dbPath: join(dir, 'lab.sqlite'),
      host: 'serve',
      workerFactory: nodeWorkerFactory(),
      workers: 3,
      log: () => {},
    });
    expect(next.service.settings).toEqual({ workers: 3, autoAnalysis: false });
    next.service.updateSettings({ autoAnalysis: true });
    await next.close();
    const third = createLab({
      dbPath: join(dir, 'lab.sqlite'),
      host: 'serve',
      workerFactory: nodeWorkerFactory(),
      log: () => {},
    });
    expect(third.service.settings).toEqual({ workers: 1, autoAnalysis: true });
    await third.close();
  });
});
