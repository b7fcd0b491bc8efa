/**
 * The studies' own small measures on constructed inputs: transition location in an accuracy
 * curve, Kornblith's layer identification, and pairwise outcome homogenization derived from κ
 * (checked against computing H directly from correctness vectors).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  errorConsistency,
  outcomeHomogenization,
} from '../../../src/core/similarity/error-consistency';
import { layerIdentification } from '../../../src/experiments/studies/seed-convergence';
import { pairwiseHomogenization } from '../../../src/experiments/studies/shared-base';
import { crossing, findTransition } from '../../../src/experiments/studies/transition';

describe('findTransition', () => {
  it('locates the midpoint crossing and the 10–90% width of a step-like rise', () => {
    // Flat at 0.1 until step 400, linear to 0.9 at step 600, flat after.
    const pts = Array.from({ length: 11 }, (_, i) => {
      const step = i * 100;
      const value = step <= 400 ? 0.1 : step >= 600 ? 0.9 : 0.1 + (0.8 * (step - 400)) / 200;
      return { step, value };
    });
    const t = findTransition(pts);
    expect(t.start).toBeCloseTo(0.1, 12);
    expect(t.end).toBeCloseTo(0.9, 12);
    expect(t.step).toBeCloseTo(500, 9);
    expect(t.width).toBeCloseTo(160, 9); // 0.18 at 420 → 0.82 at 580
  });

  it('reports no transition when accuracy barely moves', () => {
    const pts = [0, 1, 2, 3, 4].map((i) => ({ step: i, value: 0.3 + 0.01 * i }));
    expect(findTransition(pts)).toMatchObject({ step: null, width: null });
    expect(crossing(pts, 0.5)).toBeNull();
    expect(crossing(pts, 0.0)).toBe(0);
  });
});

describe('layerIdentification', () => {
  it('counts rows and columns whose maximum is on the diagonal', () => {
    expect(
      layerIdentification([
        [1, 0.2],
        [0.1, 0.9],
      ]),
    ).toBe(1);
    // Row 1's best match is layer 0, column 1's best is row 1: 3 of 4.
    expect(
      layerIdentification([
        [0.9, 0.3],
        [0.8, 0.5],
      ]),
    ).toBe(0.75);
  });
});

describe('pairwiseHomogenization', () => {
  it('equals H computed from the two correctness vectors', () => {
    const rng = new Rng(2);
    for (let trial = 0; trial < 20; trial++) {
      const n = 200;
      const a = Uint8Array.from({ length: n }, () => (rng.next() < 0.6 ? 1 : 0));
      // b copies a with probability 0.5, else draws independently.
      const b = Uint8Array.from(a, (x) => (rng.next() < 0.5 ? x : rng.next() < 0.5 ? 1 : 0));
      const errA = 1 - a.reduce((s, v) => s + v, 0) / n;
      const errB = 1 - b.reduce((s, v) => s + v, 0) / n;
      const h = pairwiseHomogenization(errorConsistency(a, b), errA, errB);
      expect(h).toBeCloseTo(outcomeHomogenization([a, b]), 9);
    }
  });
});
