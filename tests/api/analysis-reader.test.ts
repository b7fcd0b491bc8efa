import { describe, expect, it } from 'vitest';
import { readAnalyses, sortLayers } from '../../src/api/analysis-reader';
import type { AnalysisRow } from '../../db/types';

const row = (p: Partial<AnalysisRow>): AnalysisRow => ({
  id: 1,
  experimentId: 1,
  kind: 'linear-cka',
  runIds: [1, 2],
  step: 10,
  layers: null,
  params: {},
  result: null,
  createdAt: 0,
  ...p,
});

describe('readAnalyses', () => {
  it('reads pairs, model × model matrices and layer × layer matrices', () => {
    const d = readAnalyses([
      row({ layers: 'block1', result: 0.8 }),
      row({
        kind: 'top1-agreement',
        runIds: [1, 2, 3],
        result: {
          matrix: [
            [1, 0.5, 0.4],
            [0.5, 1, 0.3],
            [0.4, 0.3, 1],
          ],
        },
      }),
      row({
        id: 3,
        step: 20,
        result: {
          layers: ['embedding', 'block0'],
          matrix: [
            [0.9, 0.2],
            [0.1, 0.7],
          ],
        },
      }),
    ]);
    expect(d.measures).toEqual(['linear-cka', 'top1-agreement']);
    expect(d.runIds).toEqual([1, 2, 3]);
    expect(d.steps).toEqual([10, 20]);
    expect(d.layers).toEqual(['embedding', 'block0', 'block1', 'output']);
    expect(
      d.pairs.filter((p) => p.measure === 'top1-agreement').map((p) => [p.runA, p.runB, p.value]),
    ).toEqual([
      [1, 2, 0.5],
      [1, 3, 0.4],
      [2, 3, 0.3],
    ]);
    expect(d.pairs.find((p) => p.layerA === 'block0' && p.layerB === 'embedding')?.value).toBe(0.1);
  });

  it('reads the analysis step’s rows: k-model scalars apart, duplicates once', () => {
    const d = readAnalyses([
      // model × model at one layer (the analysis step's 'model-matrix' view)
      row({
        runIds: [1, 2],
        layers: 'embed',
        result: {
          matrix: [
            [1, 0.6],
            [0.6, 1],
          ],
          warnings: [],
        },
      }),
      // layer × layer for the pair: its diagonal repeats the value above
      row({
        runIds: [1, 2],
        result: { layersA: ['embed'], layersB: ['embed'], matrix: [[0.6]], warnings: [] },
      }),
      row({
        kind: 'outcome-homogenization',
        runIds: [1, 2, 3],
        layers: 'output',
        result: { value: 1.7, k: 3, errorRates: [0.5, 0.4, 0.6], allFail: 0.2 },
      }),
      row({ kind: 'weight-trajectory', runIds: [1], step: null, result: { steps: [0, 10] } }),
    ]);
    expect(d.pairs.map((p) => [p.measure, p.runA, p.runB, p.layerA, p.value])).toEqual([
      ['linear-cka', 1, 2, 'embed', 0.6],
    ]);
    expect(d.groups).toEqual([
      {
        measure: 'outcome-homogenization',
        runIds: [1, 2, 3],
        layer: 'output',
        step: 10,
        value: 1.7,
      },
    ]);
    expect(d.measures).toEqual(['linear-cka']);
  });

  it('orders layers naturally', () => {
    expect(sortLayers(['block10', 'final_norm', 'block2', 'embedding', 'output'])).toEqual([
      'embedding',
      'block2',
      'block10',
      'final_norm',
      'output',
    ]);
  });
});
