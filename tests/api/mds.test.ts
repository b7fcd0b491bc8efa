import { describe, expect, it } from 'vitest';
import { classicalMds } from '../../src/api/mds';

const dist = (p: number[], q: number[]) => Math.hypot(p[0] - q[0], p[1] - q[1]);

describe('classicalMds', () => {
  it('recovers the distances of points that lie in a plane', () => {
    const pts = [
      [0, 0],
      [3, 0],
      [0, 4],
      [3, 4],
      [1, 2],
    ];
    const d = pts.map((p) => pts.map((q) => dist(p, q)));
    const { points, explained } = classicalMds(d);
    for (let i = 0; i < pts.length; i++)
      for (let j = 0; j < pts.length; j++)
        expect(dist(points[i], points[j])).toBeCloseTo(d[i][j], 6);
    expect(explained).toBeCloseTo(1, 6);
  });

  it('copes with one model and with missing entries', () => {
    expect(classicalMds([[0]]).points).toEqual([[0, 0]]);
    const { points } = classicalMds([
      [0, 1, NaN],
      [1, 0, 1],
      [NaN, 1, 0],
    ]);
    expect(points).toHaveLength(3);
    for (const p of points) expect(p.every(Number.isFinite)).toBe(true);
  });
});
