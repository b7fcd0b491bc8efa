import { describe, expect, it } from 'vitest';
import { smoothEma } from '../../../renderer/src/shared/smoothing';

describe('smoothEma', () => {
  it('smooths with bias correction: a constant stays constant, weight 0 is raw', () => {
    expect(smoothEma([2, 2, 2], 0.9).map((v) => +v.toFixed(12))).toEqual([2, 2, 2]);
    expect(smoothEma([1, 5, 3], 0)).toEqual([1, 5, 3]);
    const s = smoothEma([0, 10], 0.5);
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo((10 * 0.5) / 0.75);
  });
});
