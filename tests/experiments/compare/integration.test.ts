/**
 * End to end through the real parts: two tiny seed sweeps — the seed article's post-norm ReLU
 * model and a modern pre-norm GELU one — trained into a real store by the runner in a real
 * worker process, analysed by the analysis step (triggered by the comparison), then compared.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../db/store';
import {
  compareExperiments,
  comparisonToCsv,
  comparisonToHtml,
  type Comparison,
} from '../../../src/experiments/compare';
import { createExperiment } from '../../../src/experiments/spec/create';
import { getPreset } from '../../../src/experiments/spec/presets';
import { ExperimentRunner } from '../../../src/experiments/execution/runner';
import { nodeWorkerFactory } from '../../../src/experiments/execution/worker/node-host';
import { extractReportData } from '../../../src/reports';
import { parseCsv } from '../../cli/helpers';

const dbPath = join(mkdtempSync(join(tmpdir(), 'homolab-compare-it-')), 'lab.sqlite');
let store: Store;
const ids: number[] = [];

function sweep(name: string, model: Record<string, string>) {
  const spec = getPreset('seed-sweep').spec('tiny');
  spec.name = name;
  spec.model = { ...spec.model, ...model };
  spec.axes = { grid: { initSeed: [0, 1, 2] } };
  return createExperiment(store, spec).experiment.id;
}

beforeAll(async () => {
  store = openStore(dbPath);
  ids.push(sweep('article post-norm ReLU', { normPlacement: 'post', activation: 'relu' }));
  ids.push(sweep('pre-norm GELU', { normPlacement: 'pre', activation: 'gelu' }));
  const runner = new ExperimentRunner({
    store,
    dbPath,
    workerFactory: nodeWorkerFactory(),
    backend: 'wasm',
  });
  for (const id of ids) {
    const outcome = await runner.start(id);
    expect(outcome.status).toBe('completed');
  }
});
afterAll(() => store.close());

describe('comparing two trained seed sweeps', () => {
  let before: Comparison;
  let c: Comparison;
  beforeAll(async () => {
    before = await compareExperiments(store, ids, { resamples: 300 });
    c = await compareExperiments(store, ids, { resamples: 300, analyze: { backend: 'wasm' } });
  });

  it('says per field what is missing before the analysis step ran', () => {
    for (const e of before.experiments) {
      expect(e.profile).toBeNull();
      expect(e.missing.map((m) => m.field)).toEqual(
        expect.arrayContaining(['profile', 'outputs', 'trajectory']),
      );
      // Loss curves need no analysis.
      expect(e.lossCurves[0].groups[0].bands.step.mean.some((v) => v !== null)).toBe(true);
    }
  });

  it('has every experiment’s curves, profile, outputs and trajectory after analysing', () => {
    for (const e of c.experiments) {
      expect(e.analysis).toMatchObject({ ran: true });
      expect(e.seedGroups).toHaveLength(1);
      expect(e.seedGroups[0].runIds).toHaveLength(3);
      const band = e.lossCurves.find((l) => l.metric === 'loss')!.groups[0].bands.step;
      expect(band.n.at(-1)).toBe(3);
      // Training lowers the loss: the last mean is below the first.
      expect(band.mean.at(-1)!).toBeLessThan(band.mean[0]!);
      // Post-norm blocks end in their own norm: that model has no separate final norm layer.
      expect(e.profile!.layers.map((l) => l.layer)).toEqual(
        e.name.startsWith('article') ? ['embed', 'blocks.0'] : ['embed', 'blocks.0', 'final_norm'],
      );
      for (const l of e.profile!.layers) {
        expect(l.pairs).toBe(3);
        expect(l.value!).toBeGreaterThan(0);
        expect(l.value!).toBeLessThanOrEqual(1 + 1e-9);
        expect(l.interval.lower!).toBeLessThanOrEqual(l.value! + 1e-12);
        expect(l.interval.upper!).toBeGreaterThanOrEqual(l.value! - 1e-12);
      }
      expect(e.outputs!['top1-agreement']!.value!).toBeGreaterThanOrEqual(0);
      expect(e.outputs!.jsd!.value!).toBeGreaterThanOrEqual(0);
      expect(e.outputs!['outcome-homogenization']!.k).toBe(3);
      // The tiny preset checkpoints at steps 6 and 12; analysing 'all' gives both.
      expect(e.trajectory!.steps).toEqual([6, 12]);
    }
    expect(c.layers).toEqual(['embed', 'blocks.0', 'final_norm']);
    expect(c.summary).toHaveLength(2);
    expect(c.summary[1].measures['linear-cka'].diff!.pValue).not.toBeNull();
    expect(c.summary[0].backends).toEqual(['wasm']);
  });

  it('names the differing architecture fields and nothing of the data or budget', () => {
    const paths = c.specDiff.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'model.normPlacement',
        'model.activation',
        'effective.model.activation',
      ]),
    );
    expect(c.specDiff.filter((d) => d.category === 'data' || d.category === 'budget')).toEqual([]);
    expect(c.specDiff.find((d) => d.path === 'model.normPlacement')!.values).toEqual([
      'post',
      'pre',
    ]);
  });

  it('exports CSV and HTML that read back', () => {
    const rows = parseCsv(comparisonToCsv(c));
    expect(rows.map((r) => Number(r.experiment_id))).toEqual(ids);
    expect(Number(rows[0]['linear-cka'])).toBeCloseTo(
      c.summary[0].measures['linear-cka'].value!,
      12,
    );
    const html = comparisonToHtml(c);
    expect(extractReportData(html)).toEqual(JSON.parse(JSON.stringify(c)));
    for (const e of c.experiments) expect(html).toContain(e.name);
  });

  it('reuses stored analyses instead of recomputing', async () => {
    const n = store.analyses.list({ experimentId: ids[0] }).length;
    const again = await compareExperiments(store, ids, {
      resamples: 300,
      analyze: { backend: 'wasm' },
    });
    expect(store.analyses.list({ experimentId: ids[0] }).length).toBe(n);
    expect(again.experiments[0].analysis).toBeUndefined();
    expect(again.summary[0].measures['linear-cka'].value).toBe(
      c.summary[0].measures['linear-cka'].value,
    );
  });
});
