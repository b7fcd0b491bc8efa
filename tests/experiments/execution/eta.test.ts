/** The Live view's ETA: a time-weighted rate, and no jump bigger than MAX_ETA_FACTOR. */
import { describe, expect, it } from 'vitest';
import { EtaSmoother, MAX_ETA_FACTOR } from '../../../src/experiments/execution/eta';

describe('EtaSmoother', () => {
  it('gives remaining / rate at a steady rate', () => {
    const s = new EtaSmoother();
    expect(s.update(0, 1000, 0)).toBeNull();
    let eta: number | null = null;
    for (let t = 1; t <= 20; t++) eta = s.update(10 * t, 1000, t * 1000); // 10 units/s
    expect(eta).toBeCloseTo((1000 - 200) / 10, 6);
  });

  it('never moves by more than the stated factor between updates', () => {
    const s = new EtaSmoother(5);
    const etas: number[] = [];
    let done = 0;
    for (let t = 1; t <= 120; t++) {
      // 20 units/s, a 10× slower stretch (a neighbour steals the core), then 20 again,
      // sampled every 250 ms like the workers' progress.
      done += t > 30 && t < 60 ? 0.5 : 5;
      const eta = s.update(done, 10_000, t * 250);
      if (eta !== null) etas.push(eta);
    }
    expect(etas.length).toBeGreaterThan(100);
    for (let i = 1; i < etas.length; i++) {
      const r = etas[i] / etas[i - 1];
      expect(r).toBeLessThanOrEqual(MAX_ETA_FACTOR + 1e-12);
      expect(r).toBeGreaterThanOrEqual(1 / MAX_ETA_FACTOR - 1e-12);
    }
  });

  it('limits raw estimates the same way, and takes zero (done) as is', () => {
    const s = new EtaSmoother();
    expect(s.next(100)).toBe(100);
    expect(s.next(10)).toBe(100 / MAX_ETA_FACTOR);
    expect(s.next(1000)).toBeCloseTo(100, 10);
    expect(s.next(0)).toBe(0);
  });
});
