import { describe, expect, it } from 'vitest';
import { smoothEma } from '../../renderer/src/lib/smoothing';
import { groupBySeed, meanBand } from '../../renderer/src/lib/seed-groups';
import { configDiff } from '../../renderer/src/lib/config-diff';
import { countRuns, parseAxisValues, rowsToGrid } from '../../renderer/src/lib/axes';

describe('renderer helpers', () => {
  it('smooths with bias correction: a constant stays constant, weight 0 is raw', () => {
    expect(smoothEma([2, 2, 2], 0.9).map((v) => +v.toFixed(12))).toEqual([2, 2, 2]);
    expect(smoothEma([1, 5, 3], 0)).toEqual([1, 5, 3]);
    const s = smoothEma([0, 10], 0.5);
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo((10 * 0.5) / 0.75);
  });

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

  it('diffs configs and parses axis grids', () => {
    expect(configDiff([{ config: { a: 1, b: 2 } }, { config: { a: 1, b: 3 } }])).toEqual([
      { key: 'b', values: ['2', '3'] },
    ]);
    expect(parseAxisValues('1, 2.5, pre, true,')).toEqual([1, 2.5, 'pre', true]);
    const grid = rowsToGrid([
      { field: 'initSeed', values: '0,1,2' },
      { field: 'model.nLayers', values: '1, 2' },
    ]);
    expect(countRuns(grid)).toBe(6);
    expect(countRuns(grid, 2)).toBe(12);
  });
});
