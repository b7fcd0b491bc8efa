/**
 * Similarity in Chromium against `homolab serve`, on a really trained and analysed seed sweep:
 * layer × layer labels drawn whole, a run's own trajectory named "vs its final checkpoint";
 * and (once the lab service analyses on its own) the analysis starting by itself when training
 * ends, with its progress shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './browser';
import {
  analysisEnded,
  openLab,
  tinySpec,
  train,
  trainingEnded,
  type LabFixture,
} from './lab-fixture';

const missing = chromiumMissing();

describe.skipIf(!!missing)('Similarity', () => {
  let f: LabFixture;
  let sweep: number;
  beforeAll(async () => {
    f = await openLab();
    sweep = await train(f, 'Sweep', tinySpec({ training: { steps: 24 } }), {
      analyze: ['linear-cka', 'top1-agreement'],
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('draws layer labels whole', async () => {
    await f.open(`#/similarity/${sweep}`);
    const layer = f.page.getByTestId('layer-heatmap');
    await layer.waitFor({ timeout: 30_000 });
    const rows = ((await layer.getAttribute('data-drawn-rows')) ?? '').split('|');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows).toContain('initSeed=0 · embed');
    for (const r of rows) expect(r).not.toContain('…');
  });

  it('names a run’s own trajectory “vs its final checkpoint”', async () => {
    await f.open(`#/similarity/${sweep}`);
    const traj = f.page.locator('.panel', { hasText: 'Over training' }).locator('.chart-box');
    await traj.waitFor({ timeout: 30_000 });
    const labels = ((await traj.getAttribute('data-series-labels')) ?? '').split('|');
    expect(labels).toContain('initSeed=0 vs its final checkpoint');
    expect(labels).toContain('initSeed=0 vs initSeed=1');
    expect(labels.some((l) => l.includes(' ~ '))).toBe(false);
  });

  // The lab service analyses an experiment when its training ends (a setting turns it off).
  it('analyses an experiment by itself when its training ends, with progress', async () => {
    const e = await f.call('createExperiment', {
      name: 'Auto-analysed',
      spec: tinySpec({ analysis: { measures: ['linear-cka'] } }),
    });
    const analysed = analysisEnded(f, e.id);
    await f.open(`#/live/${e.id}`);
    await trainingEnded(f, e.id);
    await f.page.getByTestId('live-analysis').waitFor({ timeout: 30_000 });
    await analysed;
    await f.open(`#/similarity/${e.id}`);
    await f.page.getByTestId('model-heatmap').waitFor({ timeout: 30_000 });
  });

  it('produced no console errors', () => {
    expect(f.errors).toEqual([]);
  });
});
