import { describe, expect, it } from 'vitest';
import { downsampleEnvelope } from '../../src/api/downsample';

describe('downsampleEnvelope', () => {
  it('keeps a single spike in the max envelope of 20,000 points reduced to 100', () => {
    const n = 20_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => (i === 12_345 ? 50 : 1 + Math.sin(i / 500) * 0.1));
    const e = downsampleEnvelope(x, y, 100);
    expect(e.x).toHaveLength(100);
    expect(Math.max(...e.max)).toBe(50);
    expect(Math.min(...e.min)).toBeCloseTo(0.9, 3);
    expect(e.x[e.x.length - 1]).toBe(n - 1);
    for (let i = 0; i < 100; i++) expect(e.min[i]).toBeLessThanOrEqual(e.max[i]);
  });

  it('returns short inputs unchanged and ignores non-finite values for the envelope', () => {
    expect(downsampleEnvelope([1, 2], [3, 4], 10)).toEqual({
      x: [1, 2],
      y: [3, 4],
      min: [3, 4],
      max: [3, 4],
    });
    const e = downsampleEnvelope([0, 1, 2, 3], [NaN, 2, Infinity, 1], 2);
    expect(e.min).toEqual([2, 1]);
    expect(e.max).toEqual([2, 1]);
  });
});
