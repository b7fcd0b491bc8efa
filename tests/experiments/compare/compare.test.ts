/**
 * `compareExperiments` on a real store filled with constructed data (experiments created through
 * `createExperiment`, metrics and analysis rows with known values), so every number of the
 * comparison has a known answer: loss bands, profiles, output measures, trajectories, the
 * summary's differences, the spec diff, CSV, HTML and saved comparisons.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../db/store';
import type { Json } from '../../../db/types';
import {
  compareExperiments,
  comparisonToCsv,
  comparisonToHtml,
  deleteSavedComparison,
  listSavedComparisons,
  openSavedComparison,
  saveComparison,
  type Comparison,
} from '../../../src/experiments/compare';
import { createExperiment } from '../../../src/experiments/spec/create';
import { getPreset } from '../../../src/experiments/spec/presets';
import { extractReportData } from '../../../src/reports';
import { parseCsv } from '../../cli/helpers';

let store: Store;
let A: { id: number; runs: number[] };
let B: { id: number; runs: number[] };

function experiment(name: string, model: Record<string, string>, seeds: number[]) {
  const spec = getPreset('seed-sweep').spec('tiny');
  spec.name = name;
  spec.model = { ...spec.model, ...model };
  spec.axes = { grid: { initSeed: seeds } };
  const { experiment: e, runs } = createExperiment(store, spec);
  return { id: e.id, runs: runs.map((r) => r.id) };
}

/** k × k matrix with 1 on the diagonal and `f(i, j)` (i < j) mirrored. */
function matrix(k: number, f: (i: number, j: number) => number | null): (number | null)[][] {
  return Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => (i === j ? 1 : f(Math.min(i, j), Math.max(i, j)))),
  );
}

function addRows(
  exp: { id: number; runs: number[] },
  kind: string,
  step: number,
  layer: string,
  m: Json,
) {
  store.analyses.create({
    experimentId: exp.id,
    kind,
    runIds: exp.runs,
    step,
    layers: layer,
    params: { view: 'model-matrix' },
    result: { matrix: m, warnings: [] },
  });
}

beforeAll(() => {
  store = openStore(join(mkdtempSync(join(tmpdir(), 'homolab-compare-')), 'lab.sqlite'));
  A = experiment('post-norm relu', { normPlacement: 'post', activation: 'relu' }, [0, 1, 2]);
  B = experiment('pre-norm gelu', { normPlacement: 'pre', activation: 'gelu' }, [0, 1, 2]);
  // Loss: A's run k logs 2 + k at steps 1..10; B's run k logs 1 + k/2 at steps 1..20.
  for (const [exp, steps, f] of [
    [A, 10, (k: number) => 2 + k],
    [B, 20, (k: number) => 1 + k / 2],
  ] as const)
    exp.runs.forEach((runId, k) => {
      store.runs.start(runId);
      const pts = Array.from({ length: steps }, (_, s) => ({
        runId,
        name: 'loss',
        step: s + 1,
        tokens: (s + 1) * 32,
        wallMs: (s + 1) * 100,
        value: f(k),
      }));
      store.metrics.insert([...pts, { ...pts[steps - 1], name: 'eval_loss', value: f(k) + 0.5 }]);
      store.runs.finish(runId, 'completed');
    });
  // Similarity: A's pair (i, j) = 0.1·(i + j) at every layer; at step 6 everything is 0.1.
  // B: 0.9 at embed, 0.5 at blocks.0, 0.7 at final_norm (all pairs); at step 6, 0.2.
  for (const layer of ['embed', 'blocks.0', 'final_norm']) {
    addRows(
      A,
      'linear-cka',
      12,
      layer,
      matrix(3, (i, j) => 0.1 * (i + j)),
    );
    addRows(
      A,
      'linear-cka',
      6,
      layer,
      matrix(3, () => 0.1),
    );
    const b = { embed: 0.9, 'blocks.0': 0.5, final_norm: 0.7 }[layer]!;
    addRows(
      B,
      'linear-cka',
      12,
      layer,
      matrix(3, () => b),
    );
    addRows(
      B,
      'linear-cka',
      6,
      layer,
      matrix(3, () => 0.2),
    );
  }
  addRows(
    A,
    'top1-agreement',
    12,
    'output',
    matrix(3, () => 0.6),
  );
  addRows(
    B,
    'top1-agreement',
    12,
    'output',
    matrix(3, () => 0.8),
  );
  addRows(
    A,
    'top1-agreement',
    6,
    'output',
    matrix(3, () => 0.3),
  );
  addRows(
    A,
    'jsd',
    12,
    'output',
    matrix(3, () => 0.25),
  );
  addRows(
    A,
    'error-consistency',
    12,
    'output',
    matrix(3, () => 0.4),
  );
  addRows(
    B,
    'error-consistency',
    12,
    'output',
    matrix(3, () => 0.55),
  );
  store.analyses.create({
    experimentId: A.id,
    kind: 'outcome-homogenization',
    runIds: A.runs,
    step: 12,
    layers: 'output',
    result: { value: 1.8, k: 3, errorRates: [0.5, 0.4, 0.45], allFail: 0.162 },
  });
});
afterAll(() => store.close());

describe('compareExperiments on constructed data', () => {
  let c: Comparison;
  beforeAll(async () => {
    c = await compareExperiments(store, [A.id, B.id], {
      gridPoints: 20,
      resamples: 400,
      now: () => 1000,
    });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    expect(c.experimentIds).toEqual([A.id, B.id]);
  });

  it('draws loss bands on one shared grid', () => {
    expect(c.grids.step).toHaveLength(20);
    expect(c.grids.step[0]).toBe(1);
    expect(c.grids.step[19]).toBe(20);
    expect(c.grids.tokens[19]).toBe(640);
    const a = c.experiments[0].lossCurves.find((l) => l.metric === 'loss')!.groups[0].bands.step;
    const b = c.experiments[1].lossCurves.find((l) => l.metric === 'loss')!.groups[0].bands.step;
    // A has data up to step 10 only (grid points 1..10), B everywhere.
    expect(a.mean.slice(0, 10)).toEqual(Array(10).fill(3));
    expect(a.min[0]).toBe(2);
    expect(a.max[0]).toBe(4);
    expect(a.mean.slice(10)).toEqual(Array(10).fill(null));
    expect(a.n.slice(9, 11)).toEqual([3, 0]);
    expect(b.mean[19]).toBeCloseTo(1.5, 12);
    expect(b.min[19]).toBe(1);
    expect(b.max[19]).toBe(2);
  });

  it('reads seed groups and the layer profile with known means', () => {
    const [ea, eb] = c.experiments;
    expect(ea.seedGroups).toHaveLength(1);
    expect(ea.seedGroups[0].initSeeds).toEqual([0, 1, 2]);
    expect(c.layers).toEqual(['embed', 'blocks.0', 'final_norm']);
    // A's pairs: (0,1) 0.1, (0,2) 0.2, (1,2) 0.3 → mean 0.2 at every layer.
    expect(ea.profile!.step).toBe(12);
    for (const l of ea.profile!.layers) {
      expect(l.value).toBeCloseTo(0.2, 12);
      expect(l.pairs).toBe(3);
      expect(l.models).toBe(3);
      // Jackknife over the 3 models: leave-one-out means 0.3, 0.2, 0.1; t with 2 df.
      const half = 4.302652729749464 * Math.sqrt((2 / 3) * 0.02);
      expect(l.interval).toMatchObject({ method: 'jackknife-t', reason: null });
      // 0.2 − half is below 0, where linear CKA cannot go: the interval is cut at 0.
      expect(l.interval.lower).toBe(0);
      expect(l.interval.upper).toBeCloseTo(0.2 + half, 9);
    }
    [0.9, 0.5, 0.7].forEach((v, i) => expect(eb.profile!.layers[i].value).toBeCloseTo(v, 12));
    expect(eb.profile!.overall.value).toBeCloseTo(0.7, 12);
  });

  it('reports output measures, H without interval, and what is missing per field', () => {
    const [ea, eb] = c.experiments;
    expect(ea.outputs!['top1-agreement']!.value).toBeCloseTo(0.6, 12);
    expect(ea.outputs!.jsd!.value).toBeCloseTo(0.25, 12);
    expect(ea.outputs!['outcome-homogenization']).toMatchObject({
      value: 1.8,
      k: 3,
      interval: null,
    });
    expect(eb.outputs!.jsd).toBeNull();
    const fields = eb.missing.map((m) => m.field);
    expect(fields).toContain('outputs.jsd');
    expect(fields).toContain('outputs.outcome-homogenization');
    expect(eb.missing.find((m) => m.field === 'outputs.jsd')!.reason).toMatch(/homolab analyze/);
  });

  it('has a trajectory over every analysed step', () => {
    const t = c.experiments[0].trajectory!;
    expect(t.steps).toEqual([6, 12]);
    expect(t.tokens).toEqual([6 * 32, 12 * 32]);
    expect(t.overall[0]).toBeCloseTo(0.1, 12);
    expect(t.overall[1]).toBeCloseTo(0.2, 12);
    expect(t.agreement[0]).toBeCloseTo(0.3, 12);
    expect(t.agreement[1]).toBeCloseTo(0.6, 12);
    const tb = c.experiments[1].trajectory!.agreement;
    expect(tb[0]).toBeNull();
    expect(tb[1]).toBeCloseTo(0.8, 12);
  });

  it('summarises with differences against the reference', () => {
    const [ra, rb] = c.summary;
    expect(ra.finalLoss).toEqual({ mean: 3, min: 2, max: 4 });
    expect(rb.finalEvalLoss.mean).toBeCloseTo(2, 12);
    expect(ra.tokens).toBe(320);
    expect(rb.tokens).toBe(640);
    expect(ra.wallMsPerRun).toBe(1000);
    expect(ra.completed).toBe(3);
    expect(ra.measures['linear-cka'].diff).toBeNull();
    const d = rb.measures['linear-cka'].diff!;
    expect(d.value).toBeCloseTo(0.5, 12);
    // Models relabelled between the experiments (their jackknife pseudo-values: B's 0.7, 0.7,
    // 0.7; A's 0, 0.2, 0.4): fully separated → exact p = 2/20.
    expect(d.pValue).toBeCloseTo(0.1, 12);
    expect(d.method).toBe('exact');
    // Welch: B has no spread, so the interval is A's jackknife interval moved by 0.5 (2 df).
    const half = 4.302652729749464 * Math.sqrt((2 / 3) * 0.02);
    expect(d.interval.lower).toBeCloseTo(0.5 - half, 9);
    expect(d.interval.upper).toBeCloseTo(0.5 + half, 9);
    expect(rb.measures['top1-agreement'].diff!.value).toBeCloseTo(0.2, 12);
    expect(rb.measures.jsd.value).toBeNull();
    expect(rb.measures.jsd.diff).toMatchObject({ value: null, pValue: null, method: null });
    expect(rb.measures.jsd.diff!.interval.reason).toMatch(/undefined/);
  });

  it('names the differing spec fields', () => {
    const paths = c.specDiff.map((d) => d.path);
    expect(paths).toContain('model.normPlacement');
    expect(paths).toContain('model.activation');
    expect(paths).toContain('effective.model.activation');
    expect(paths).not.toContain('name');
    expect(paths).not.toContain('runs.initSeeds');
    const act = c.specDiff.find((d) => d.path === 'model.activation')!;
    expect(act).toMatchObject({
      category: 'architecture',
      values: ['relu', 'gelu'],
      derived: false,
    });
  });

  it('exports CSV with one row per experiment', () => {
    const rows = parseCsv(comparisonToCsv(c));
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => Number(r.experiment_id))).toEqual([A.id, B.id]);
    expect(rows[0].reference).toBe('true');
    expect(Number(rows[1]['linear-cka_diff'])).toBeCloseTo(0.5, 12);
    expect(rows[1].jsd).toBe('');
    expect(rows[0]['spec:model.activation']).toBe('relu');
    expect(Number(rows[0].final_loss_mean)).toBe(3);
  });

  it('renders a standalone HTML report embedding every number', () => {
    const html = comparisonToHtml(c);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script(?! type="application\/json")/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect(html).toContain('post-norm relu');
    expect(html).toContain('model.activation');
    expect(extractReportData(html)).toEqual(JSON.parse(JSON.stringify(c)));
  });

  it('saves, lists, reopens and deletes a named comparison', async () => {
    const saved = saveComparison(store, 'relu vs gelu', c, {
      options: { gridPoints: 20, resamples: 400 },
    });
    expect(listSavedComparisons(store).map((s) => s.name)).toEqual(['relu vs gelu']);
    // A saved comparison is not one of the experiments' analyses.
    expect(store.analyses.list({ experimentId: A.id, kind: 'comparison' })).toEqual([]);
    const opened = await openSavedComparison(store, saved.id);
    expect(opened.refreshed).toBe(false);
    expect(opened.comparison).toEqual(JSON.parse(JSON.stringify(c)));
    const fresh = await openSavedComparison(store, saved.id, { refresh: true });
    expect(fresh.refreshed).toBe(true);
    expect({ ...fresh.comparison, createdAt: 0 }).toEqual({ ...c, createdAt: 0 });
    const again = saveComparison(store, 'relu vs gelu', c, { replace: true });
    expect(listSavedComparisons(store).map((s) => s.id)).toEqual([again.id]);
    expect(deleteSavedComparison(store, again.id)).toBe(true);
    expect(deleteSavedComparison(store, again.id)).toBe(false);
    expect(listSavedComparisons(store)).toEqual([]);
    expect(() => saveComparison(store, '  ', c)).toThrow(/name/);
  });

  it('rejects bad input', async () => {
    await expect(compareExperiments(store, [])).rejects.toThrow(RangeError);
    await expect(compareExperiments(store, [A.id, A.id])).rejects.toThrow(/twice/);
    await expect(compareExperiments(store, [A.id, 9999])).rejects.toThrow(/9999/);
    await expect(compareExperiments(store, [A.id], { reference: 1 })).rejects.toThrow(RangeError);
  });

  it('reads an earlier step when asked', async () => {
    const early = await compareExperiments(store, [A.id, B.id], { step: 8, resamples: 100 });
    expect(early.experiments[0].profile!.step).toBe(6);
    expect(early.experiments[0].profile!.overall.value).toBeCloseTo(0.1, 12);
    expect(early.experiments[1].outputs).toBeNull();
    expect(early.experiments[1].missing.map((m) => m.field)).toContain('outputs');
  });
});
