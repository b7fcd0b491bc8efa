/**
 * The analysis, comparison and bundle operations over a real lab: two tiny seed sweeps trained
 * by the real worker process, analysed through `analyzeExperiment` (progress events), read back
 * by the similarity views, compared (summary, spec diff, CSV, HTML, save / reopen / delete),
 * exported as a JSON bundle and imported into a second lab.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/api/lab';
import type { LabEvent, OperationName, OpInput, OpOutput } from '../../src/api/contract';
import { nodeWorkerFactory } from '../../src/experiments/execution/worker/node-host';
import { getPreset } from '../../src/experiments/spec/presets';
import { parseCsv } from '../e2e/csv';

let dir: string;
let lab: Lab;
let other: Lab;
const ids: number[] = [];

function caller(l: () => Lab) {
  return async <N extends OperationName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> => {
    const r = await l().dispatcher.dispatch(name, input, { transport: 'direct' });
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.result as OpOutput<N>;
  };
}
const call = caller(() => lab);
const callOther = caller(() => other);

/** Resolves with the first event matching `pred` (rejects after `ms`). */
function nextEvent(l: Lab, pred: (e: LabEvent) => boolean, ms = 120_000): Promise<LabEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for an event'));
    }, ms);
    const off = l.events.on((e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

async function train(name: string, activation: 'gelu' | 'relu'): Promise<number> {
  const spec = getPreset('seed-sweep').spec('tiny') as Record<string, unknown>;
  spec.model = { ...(spec.model as object), activation };
  const created = await call('createExperiment', { name, spec, start: false });
  const done = nextEvent(
    lab,
    (e) =>
      e.type === 'experiment.status' &&
      e.experimentId === created.id &&
      ['completed', 'failed', 'interrupted', 'cancelled'].includes(e.status),
  );
  await call('startExperiment', { id: created.id });
  const end = await done;
  expect(end.type === 'experiment.status' && end.status).toBe('completed');
  return created.id;
}

async function analyze(experimentId: number): Promise<void> {
  const done = nextEvent(
    lab,
    (e) => e.type === 'analysis.progress' && e.experimentId === experimentId && e.done >= e.total,
  );
  await call('analyzeExperiment', {
    experimentId,
    measures: [
      'linear-cka',
      'top1-agreement',
      'jsd',
      'error-consistency',
      'outcome-homogenization',
    ],
    steps: 'all',
  });
  const end = await done;
  expect(end.type === 'analysis.progress' && end.error).toBeNull();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'homolab-api-compare-'));
  lab = createLab({
    dbPath: join(dir, 'lab.sqlite'),
    host: 'serve',
    backend: 'wasm',
    autoAnalysis: false, // this test analyses with its own options
    workerFactory: nodeWorkerFactory(),
    log: () => {},
  });
  other = createLab({
    dbPath: join(dir, 'other.sqlite'),
    host: 'serve',
    backend: 'wasm',
    autoAnalysis: false, // this test analyses with its own options
    workerFactory: nodeWorkerFactory(),
    log: () => {},
  });
  ids.push(await train('GELU sweep', 'gelu'));
  ids.push(await train('ReLU sweep', 'relu'));
}, 240_000);

afterAll(async () => {
  await lab?.close();
  await other?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('analysis through the API', () => {
  it('refuses an unknown measure and a missing experiment', async () => {
    await expect(
      call('analyzeExperiment', { experimentId: ids[0], measures: ['nope' as 'jsd'] }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(call('analyzeExperiment', { experimentId: 9999 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('computes analyses the similarity views then show', async () => {
    for (const id of ids) await analyze(id);
    const index = await call('getSimilarityIndex', { experimentId: ids[0] });
    expect(index.measures).toEqual(expect.arrayContaining(['linear-cka', 'top1-agreement', 'jsd']));
    expect(index.steps).toEqual([6, 12]);
    expect(index.layers[0]).toBe('embed');
    const m = await call('getModelMatrix', {
      experimentId: ids[0],
      measure: 'linear-cka',
      layer: 'final_norm',
    });
    expect(index.layersByMeasure['linear-cka']).toEqual(['embed', 'blocks.0', 'final_norm']);
    expect(index.layersByMeasure.jsd).toEqual(['output']);
    expect(m.values).toHaveLength(3);
    const off = m.values.flatMap((row, i) => row.filter((_, j) => j !== i));
    expect(off.every((v) => typeof v === 'number' && v > 0 && v <= 1 + 1e-9)).toBe(true);
    const lm = await call('getLayerMatrix', {
      experimentId: ids[0],
      measure: 'linear-cka',
      runA: index.runIds[0],
      runB: index.runIds[1],
    });
    expect(lm.values.flat().filter((v) => v !== null).length).toBeGreaterThan(0);
    const traj = await call('getTrajectory', {
      experimentId: ids[0],
      measure: 'linear-cka',
      layer: 'embed',
    });
    expect(traj.series).toHaveLength(3);
    expect(traj.series[0].steps).toEqual([6, 12]);
  }, 240_000);
});

describe('experiment comparison through the API', () => {
  it('compares two experiments: curves, profile, outputs, spec diff, summary', async () => {
    const c = await call('compareExperiments', {
      experimentIds: ids,
      options: { resamples: 200 },
    });
    expect(c.experiments.map((e) => e.name)).toEqual(['GELU sweep', 'ReLU sweep']);
    for (const e of c.experiments) {
      expect(e.seedGroups).toHaveLength(1);
      expect(e.seedGroups[0].runIds).toHaveLength(3);
      expect(e.lossCurves[0].groups[0].bands.step.mean.some((v) => v !== null)).toBe(true);
      expect(e.profile?.layers.length).toBeGreaterThan(0);
      expect(e.outputs?.['top1-agreement']?.value).not.toBeNull();
      expect(e.trajectory?.steps).toEqual([6, 12]);
    }
    expect(c.specDiff.map((d) => d.path)).toContain('model.activation');
    expect(c.summary).toHaveLength(2);
    expect(c.summary[1].measures['linear-cka'].diff).not.toBeNull();
  }, 60_000);

  it('exports the summary as CSV with one row per experiment, and an HTML report', async () => {
    const csv = await call('exportComparison', {
      format: 'csv',
      experimentIds: ids,
      options: { resamples: 100 },
    });
    expect(csv.filename).toMatch(/\.csv$/);
    const [header, ...rows] = parseCsv(csv.data).filter((r) => r.length > 1);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r[header.indexOf('name')])).toEqual(['GELU sweep', 'ReLU sweep']);
    const html = await call('exportComparison', {
      format: 'html',
      experimentIds: ids,
      options: { resamples: 100 },
    });
    expect(html.data).toMatch(/^<!doctype html>/i);
    expect(html.data).toContain('ReLU sweep');
  }, 60_000);

  it('saves, lists, reopens and deletes a named comparison', async () => {
    const saved = await call('saveComparison', {
      name: 'GELU vs ReLU',
      experimentIds: ids,
      options: { resamples: 100 },
    });
    expect(saved.experimentIds).toEqual(ids);
    expect((await call('listComparisons', {})).map((s) => s.name)).toEqual(['GELU vs ReLU']);
    const opened = await call('openComparison', { id: saved.id });
    expect(opened.comparison.experimentIds).toEqual(ids);
    expect(opened.refreshed).toBe(false);
    const file = await call('exportComparison', { format: 'json', savedId: saved.id });
    expect(JSON.parse(file.data).experimentIds).toEqual(ids);
    await call('deleteComparison', { id: saved.id });
    expect(await call('listComparisons', {})).toEqual([]);
    await expect(call('openComparison', { id: saved.id })).rejects.toMatchObject({
      code: 'not_found',
    });
  }, 60_000);

  it('rejects a repeated experiment and an unknown one', async () => {
    await expect(
      call('compareExperiments', { experimentIds: [ids[0], ids[0]] }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(call('compareExperiments', { experimentIds: [9999] })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('JSON bundles through the API', () => {
  it('exports a bundle that another lab imports, and refuses bad or repeated imports', async () => {
    const file = await call('exportData', { format: 'json', experimentIds: [ids[1]] });
    expect(file.filename).toMatch(/\.json$/);
    const result = await callOther('importBundle', { filename: file.filename, content: file.data });
    expect(result.experimentIds).toHaveLength(1);
    expect(result.runCount).toBe(3);
    const imported = await callOther('getExperiment', { id: result.experimentIds[0] });
    expect(imported.name).toBe('ReLU sweep');
    expect(imported.runs.every((r) => r.status === 'completed')).toBe(true);
    await expect(
      callOther('importBundle', { filename: file.filename, content: file.data }),
    ).rejects.toMatchObject({ code: 'conflict' });
    const tampered = file.data.replace('"ReLU sweep"', '"Tampered"');
    await expect(
      callOther('importBundle', { filename: 'x.json', content: tampered }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      callOther('importBundle', { filename: 'y.json', content: '{"format":"zip"}' }),
    ).rejects.toThrow(/y\.json is not a Homolab bundle/);
  }, 60_000);
});

describe('studies through the API', () => {
  it('lists the built-in studies with their designs and refuses an unknown one', async () => {
    const studies = await call('listStudies', {});
    const seed = studies.find((s) => s.id === 'seed-convergence');
    expect(seed?.question).toBeTruthy();
    expect(seed?.designs.test).toMatch(/seed/i);
    await expect(call('runStudy', { study: 'nope', scale: 'test' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(await call('listStudyReports', {})).toEqual([]);
    await expect(call('getStudyReport', { id: 1 })).rejects.toMatchObject({ code: 'not_found' });
  });
});
