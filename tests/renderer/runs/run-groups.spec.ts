import { describe, expect, it } from 'vitest';
import { groupBySeed, meanBand } from '../../../renderer/src/runs/run-groups';
import { configDiff } from '../../../renderer/src/runs/config-diff';

describe('run groups and config diff', () => {
  it('groups runs that differ only in seeds and draws mean with min–max band', () => {
    const runs = [
      { id: 1, name: 'a', config: { 'model.dModel': 16, initSeed: 0 } },
      { id: 2, name: 'b', config: { 'model.dModel': 16, initSeed: 1 } },
      { id: 3, name: 'c', config: { 'model.dModel': 32, initSeed: 0 } },
    ];
    const g = groupBySeed(runs);
    expect(g.map((x) => x.runs.map((r) => r.id))).toEqual([[1, 2], [3]]);
    expect(g[0].label).toBe('dModel=16');
    const band = meanBand([
      { x: [1, 2, 3], y: [1, 2, 3] },
      { x: [1, 2, 3], y: [3, 4, 5] },
    ]);
    expect(band).toEqual({ x: [1, 2, 3], mean: [2, 3, 4], min: [1, 2, 3], max: [3, 4, 5] });
  });

  it('diffs configs', () => {
    expect(configDiff([{ config: { a: 1, b: 2 } }, { config: { a: 1, b: 3 } }])).toEqual([
      { key: 'b', values: ['2', '3'] },
    ]);
  });
});
