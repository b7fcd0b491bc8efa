import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../db/store';
import {
  AnalysisWriter,
  homogenization,
  homogenizationByStep,
  layerMatrices,
  modelMatrices,
  modelMatrix,
  pairData,
  reindex,
  sortLayers,
  storedLayers,
  vsFinalValues,
} from '../../../src/experiments/analysis/rows';
import { openTemp, populate, tempDir, type TempDir } from '../../db/helpers';

const probe = { probe: 'p1', probeSize: 8, contextLength: 4, maxTokens: 64 };
const sym = (v: number) => [
  [1, v],
  [v, 1],
];

describe('the analysis-row module (a real store)', () => {
  let t: TempDir;
  let store: Store;
  afterEach(() => {
    store?.close();
    t?.cleanup();
  });

  function setUp() {
    t = tempDir();
    store = openTemp(t);
    const { experimentIds, runIds } = populate(store);
    return { eid: experimentIds[0], a: runIds[0], b: runIds[1] };
  }

  it('orders layers as the network does, pseudo-layers last', () => {
    expect(
      sortLayers(['output', 'blocks.10', 'final_norm', 'blocks.2', 'weights', 'embed']),
    ).toEqual(['embed', 'blocks.2', 'blocks.10', 'final_norm', 'weights', 'output']);
  });

  it('writes a group once, all or nothing, and reads each view back typed', () => {
    const { eid, a, b } = setUp();
    const w = new AnalysisWriter(store, eid, probe);
    const g = { kind: 'linear-cka', view: 'model-matrix' as const, step: 10, options: {} };
    const rows = ['blocks.0', 'embed'].map((layer, i) => ({
      runIds: [a, b],
      layers: layer,
      result: { matrix: sym(0.5 + i / 10), warnings: [] },
    }));
    expect(w.writeGroup('k1', g, rows)).toBe(2);
    expect(w.writeGroup('k1', g, rows)).toBe(0); // same key: skipped
    expect(new AnalysisWriter(store, eid, probe).has('k1')).toBe(true); // keys read back
    w.writeGroup('k2', { ...g, view: 'layer-matrix' }, [
      {
        runIds: [a, b],
        layers: null,
        result: {
          layersA: ['embed', 'blocks.0'],
          layersB: ['embed', 'blocks.0'],
          matrix: sym(0.3),
        },
      },
    ]);
    w.writeGroup('k3', { ...g, view: 'vs-final', step: 5 }, [
      { runIds: [a, a], layers: 'embed', result: { value: 0.9, finalStep: 10 } },
    ]);
    w.writeGroup('k4', { ...g, kind: 'outcome-homogenization' }, [
      {
        runIds: [a, b],
        layers: 'output',
        result: { value: 1.5, k: 2, errorRates: [0.2, 0.3], allFail: 0.09 },
      },
    ]);
    // A group that fails to write leaves nothing behind.
    expect(() =>
      w.writeGroup('k5', g, [rows[0], { runIds: [a, b], layers: 'x', result: undefined as never }]),
    ).toThrow();
    expect(w.has('k5')).toBe(false);

    const mm = modelMatrices(store, eid, 'linear-cka');
    expect([...mm.get(10)!.keys()]).toEqual(['embed', 'blocks.0']);
    expect(modelMatrix(store, eid, 'linear-cka', 10, [a, b], 'embed')[0][1]).toBe(0.6);
    expect(() => modelMatrix(store, eid, 'linear-cka', 10, [b, a], 'embed')).toThrow(/no stored/);
    expect(storedLayers(store, eid, 'linear-cka', 10, [a, b])).toEqual(['embed', 'blocks.0']);
    expect(reindex(mm.get(10)!.get('embed')!, [b, 999, a])).toEqual([
      [1, null, 0.6],
      [null, null, null],
      [0.6, null, 1],
    ]);
    expect(layerMatrices(store, eid, 'linear-cka', { step: 10 })[0]).toMatchObject({
      runIds: [a, b],
      layersA: ['embed', 'blocks.0'],
    });
    expect(vsFinalValues(store, eid, 'linear-cka')).toEqual([
      { runId: a, step: 5, layer: 'embed', value: 0.9, finalStep: 10 },
    ]);
    expect(homogenization(store, eid, 10, [a, b])).toMatchObject({ value: 1.5, k: 2 });
    expect(homogenizationByStep(store, eid).get(10)?.errorRates).toEqual([0.2, 0.3]);

    const data = pairData(store, eid);
    expect(data.layers).toEqual(['embed', 'blocks.0', 'output']);
    // The layer × layer diagonal repeats the model × model value of the same layer: each view
    // keeps its own, so a view reads only its rows.
    const emb = data.pairs.filter((p) => p.layerA === 'embed' && p.layerB === 'embed');
    expect(emb.map((p) => p.view).sort()).toEqual(['layer-matrix', 'model-matrix', 'vs-final']);
    expect(data.pairs.filter((p) => p.view === 'vs-final')).toEqual([
      expect.objectContaining({ runA: a, runB: a, value: 0.9, step: 5 }),
    ]);
  });

  it('prefers the row over the most runs, then the newest, for one (step, layer)', () => {
    const { eid, a, b } = setUp();
    const w = new AnalysisWriter(store, eid, probe);
    const g = { kind: 'jsd', view: 'model-matrix' as const, step: 3, options: {} };
    w.writeGroup('old', g, [{ runIds: [a, b], layers: 'output', result: { matrix: sym(0.1) } }]);
    w.writeGroup('new', g, [{ runIds: [a, b], layers: 'output', result: { matrix: sym(0.2) } }]);
    expect(modelMatrices(store, eid, 'jsd').get(3)!.get('output')!.matrix[0][1]).toBe(0.2);
  });
});
