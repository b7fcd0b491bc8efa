import { describe, expect, it } from 'vitest';
import { countRuns, parseAxisValues, rowsToGrid } from '../../../renderer/src/new-experiment/axes';

describe('axes grid', () => {
  it('parses axis values and counts the runs of a grid', () => {
    expect(parseAxisValues('1, 2.5, pre, true,')).toEqual([1, 2.5, 'pre', true]);
    const grid = rowsToGrid([
      { field: 'initSeed', values: '0,1,2' },
      { field: 'model.nLayers', values: '1, 2' },
    ]);
    expect(countRuns(grid)).toBe(6);
    expect(countRuns(grid, 2)).toBe(12);
  });
});
