import { describe, expect, it } from 'vitest';
import { fromRows, type Matrix } from '../../../src/core/similarity/matrix';
import {
  correctness,
  crossEntropyPerExample,
  jensenShannonPerExample,
  lossDifference,
  meanJensenShannon,
  toProbabilities,
  top1Agreement,
} from '../../../src/core/similarity/outputs';
import { between, itRandom, randn } from './random';

describe('output measures (fresh random inputs)', () => {
  itRandom('JSD(p, p) = 0, symmetric, in [0, 1], and logits ≡ probabilities', (rng) => {
    const n = between(rng, 1, 30);
    const v = between(rng, 2, 50);
    const a = randn(rng, n, v);
    const b = randn(rng, n, v);
    expect(meanJensenShannon(a, a)).toBe(0);
    const ab = meanJensenShannon(a, b);
    expect(ab).toBeGreaterThan(0);
    expect(ab).toBeLessThanOrEqual(1);
    expect(meanJensenShannon(b, a)).toBeCloseTo(ab, 14);
    const pa: Matrix = { rows: n, cols: v, data: toProbabilities(a, 'logits') };
    const pb: Matrix = { rows: n, cols: v, data: toProbabilities(b, 'logits') };
    expect(meanJensenShannon(pa, pb, 'probabilities')).toBeCloseTo(ab, 14);
    // Shifting logits by a per-row constant changes nothing.
    const shifted: Matrix = { ...a, data: a.data.map((x, i) => x + 1000 * Math.floor(i / v)) };
    expect(meanJensenShannon(shifted, b)).toBeCloseTo(ab, 12);
  });

  itRandom('JSD of disjoint one-hots is exactly 1', (rng) => {
    const v = between(rng, 2, 100);
    const i = rng.int(v);
    const j = (i + 1 + rng.int(v - 1)) % v;
    const p = new Float64Array(v);
    const q = new Float64Array(v);
    p[i] = 1;
    q[j] = 1;
    expect(
      meanJensenShannon(
        { rows: 1, cols: v, data: p },
        { rows: 1, cols: v, data: q },
        'probabilities',
      ),
    ).toBe(1);
  });

  it('is numerically stable for extreme logits', () => {
    const a = fromRows([[1e4, -1e4, 0]]);
    const b = fromRows([[-1e4, 1e4, 0]]);
    expect(meanJensenShannon(a, b)).toBeCloseTo(1, 12);
    expect(meanJensenShannon(a, a)).toBe(0);
    expect(crossEntropyPerExample(a, [0])[0]).toBeCloseTo(0, 12);
    expect(crossEntropyPerExample(a, [1])[0]).toBeCloseTo(2e4, 6);
  });

  it('matches a hand-computed JSD', () => {
    // p = (1/2, 1/2), q = (1, 0): m = (3/4, 1/4); JSD = ½[½log2(2/3) + ½log2(2)] + ½log2(4/3)
    const expected = 0.5 * (0.5 * Math.log2(2 / 3) + 0.5) + 0.5 * Math.log2(4 / 3);
    const d = jensenShannonPerExample(fromRows([[0.5, 0.5]]), fromRows([[1, 0]]), 'probabilities');
    expect(d[0]).toBeCloseTo(expected, 14);
    expect(() =>
      meanJensenShannon(fromRows([[0.2, 0.2]]), fromRows([[0.5, 0.5]]), 'probabilities'),
    ).toThrow(/sums to/);
  });

  itRandom('top-1 agreement, correctness and loss difference', (rng) => {
    const n = between(rng, 5, 40);
    const a = randn(rng, n, 7);
    expect(top1Agreement(a, a)).toBe(1);
    const b: Matrix = { ...a, data: a.data.map((x) => 3 * x - 1) }; // same argmax everywhere
    expect(top1Agreement(a, b)).toBe(1);
    const targets = Array.from({ length: n }, () => rng.int(7));
    const ca = correctness(a, targets);
    const la = crossEntropyPerExample(a, targets);
    for (let i = 0; i < n; i++) expect(la[i]).toBeGreaterThan(0);
    expect(ca.length).toBe(n);
    const lb = crossEntropyPerExample(b, targets);
    const diff = lossDifference(la, lb);
    const mean = (x: Float64Array): number => x.reduce((s, v) => s + v, 0) / x.length;
    expect(diff.meanDifference).toBeCloseTo(mean(la) - mean(lb), 12);
    expect(diff.meanAbsoluteDifference).toBeGreaterThanOrEqual(Math.abs(diff.meanDifference));
    expect(lossDifference(la, la)).toEqual({ meanDifference: 0, meanAbsoluteDifference: 0 });
  });
});
