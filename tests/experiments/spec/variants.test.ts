import { describe, expect, it } from 'vitest';
import { countParameters, estimateCost } from '../../../src/experiments/spec/estimate';
import { parseSpec } from '../../../src/experiments/spec/parse-spec';
import { getPreset, PRESETS } from '../../../src/experiments/spec/presets';
import { groupLockstep } from '../../../src/experiments/spec/variants';
import { countParams } from '../../../src/core/model/transformer';

describe('variant expansion and lockstep grouping', () => {
  it('crosses the list with the grid, last axis fastest', () => {
    const { variants } = parseSpec(getPreset('width-sweep').spec('full'));
    expect(variants.map((v) => v.name)).toEqual([
      'dModel=32 dFF=128 initSeed=0',
      'dModel=32 dFF=128 initSeed=1',
      'dModel=64 dFF=256 initSeed=0',
      'dModel=64 dFF=256 initSeed=1',
      'dModel=128 dFF=512 initSeed=0',
      'dModel=128 dFF=512 initSeed=1',
      'dModel=256 dFF=1024 initSeed=0',
      'dModel=256 dFF=1024 initSeed=1',
    ]);
    expect(variants[2].model.dModel).toBe(64);
    expect(variants[2].model.dFF).toBe(256);
    expect(variants[3].initSeed).toBe(1);
  });

  it('groups a seed sweep into one lockstep group; splits by maxGroupSize', () => {
    const { variants } = parseSpec(getPreset('seed-sweep').spec('full'));
    expect(variants).toHaveLength(8);
    expect(groupLockstep(variants)).toHaveLength(1);
    const split = groupLockstep(variants, 3);
    expect(split.map((g) => g.variants.map((v) => v.initSeed))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
  });

  it('never stacks variants that differ in architecture, training or data order', () => {
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.axes = {
      grid: { 'model.activation': ['relu', 'gelu'], dataSeed: [0, 1], initSeed: [0, 1] },
    };
    const groups = groupLockstep(parseSpec(spec).variants);
    expect(groups).toHaveLength(4);
    for (const g of groups) {
      expect(g.variants).toHaveLength(2);
      expect(new Set(g.variants.map((v) => v.model.activation)).size).toBe(1);
      expect(new Set(g.variants.map((v) => v.dataSeed)).size).toBe(1);
    }
    const lr = getPreset('seed-sweep').spec('tiny');
    lr.axes = { grid: { 'training.lr': [1e-3, 2e-3] } };
    expect(groupLockstep(parseSpec(lr).variants)).toHaveLength(2);
  });

  it('resolves a token budget to steps', () => {
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.training = { tokens: 1000, batchSize: 4 };
    const { variants } = parseSpec(spec);
    expect(variants[0].training.steps).toBe(Math.ceil(1000 / (4 * 8)));
  });

  it('counts parameters and estimates cost', () => {
    // d 4, 1 layer, V 10, T 3, learned, layernorm, pre, untied, dFF 8.
    const m = parseSpec({
      ...getPreset('seed-sweep').spec('tiny'),
      model: { contextLength: 3, dModel: 4, nHeads: 2, nLayers: 1, dFF: 8 },
    }).variants[0].model;
    const p = countParameters({ ...m, vocabSize: 10 });
    const expected =
      10 * 4 + 3 * 4 + (4 * 16 + 4 * 4) + (2 * 4 * 8 + 8 + 4) + 2 * 8 + 8 + 10 * 4 + 10;
    expect(p.total).toBe(expected);
    for (const preset of PRESETS)
      for (const size of ['tiny', 'full'] as const)
        for (const v of parseSpec(preset.spec(size)).variants)
          for (const tied of [false, true]) {
            const cfg = { ...v.model, tiedEmbeddings: tied, vocabSize: 37 };
            expect(countParameters(cfg).total, `${preset.id} ${v.name}`).toBe(countParams(cfg));
          }
    for (const preset of PRESETS) {
      const { variants } = parseSpec(preset.spec('tiny'));
      const est = estimateCost(groupLockstep(variants), 20, 'wasm');
      expect(est.runCount).toBe(variants.length);
      expect(est.flops).toBeGreaterThan(0);
      expect(est.seconds).toBeGreaterThan(0);
      expect(est.seconds).toBeLessThan(60);
    }
  });
});
