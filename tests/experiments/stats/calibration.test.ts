/**
 * Calibration of the statistics and of the verdict logic on simulated data (seeded, vectorised
 * small K, seconds). Model × model similarity matrices are drawn from the additive model-effect
 * model s_ij = μ + a_i + a_j + e_ij (a_i ~ N(0, σ_a²) per model, e_ij ~ N(0, σ_e²) per pair) —
 * the Hoeffding decomposition of any pairwise statistic, and the structure that makes pairs
 * sharing a model dependent.
 *
 * Checked: with no effect, the tests reject (and the verdicts say `reproduced`) at most at the
 * nominal 5% plus Monte Carlo error (3 binomial SDs: 500 draws → ±2.9%); with a planted effect
 * of stated size, they find it at a stated power; jackknife intervals cover the true mean at
 * their nominal level; and the old pair-value permutation test — which these replace — is
 * shown to be anti-conservative on the same data.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { differenceCell } from '../../../src/experiments/compare/summary';
import {
  pairValues,
  pairwiseDifference,
  pairwiseMean,
  permutationTest,
  type SquareMatrix,
} from '../../../src/experiments/stats';
import type { Gate } from '../../../src/experiments/studies/gates';
import { aboveVerdict, differenceVerdict } from '../../../src/experiments/studies/verdicts';

const DRAWS = 500;
/** 5% plus three binomial standard deviations at 500 draws. */
const NOMINAL_MAX = 0.05 + 3 * Math.sqrt((0.05 * 0.95) / DRAWS);

function draw(rng: Rng, k: number, mu: number, sa = 0.1, se = 0.05): SquareMatrix {
  const a = Array.from({ length: k }, () => sa * rng.normal());
  const m: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(1));
  for (let i = 0; i < k; i++)
    for (let j = i + 1; j < k; j++) m[i][j] = m[j][i] = mu + a[i] + a[j] + se * rng.normal();
  return m;
}

const rate = (n: number, f: (rng: Rng, i: number) => boolean, seed: number) => {
  const rng = new Rng(seed);
  let hits = 0;
  for (let i = 0; i < n; i++) if (f(rng, i)) hits++;
  // The figures quoted in docs/studies.md: CALIBRATION_PRINT=1 npx vitest run <this file>.
  if (process.env.CALIBRATION_PRINT) console.log(`seed ${seed}: ${hits}/${n} = ${hits / n}`);
  return hits / n;
};

const passed: Gate[] = [{ name: 'learned', passed: true, detail: 'simulated' }];

describe('calibration (500 simulated draws each)', () => {
  it('jackknife intervals cover the mean pairwise similarity at their level (K = 4 and 8)', () => {
    for (const k of [4, 8]) {
      const coverage = rate(
        DRAWS,
        (rng) => {
          const iv = pairwiseMean(draw(rng, k, 0.5)).interval;
          return iv.lower! <= 0.5 && 0.5 <= iv.upper!;
        },
        k,
      );
      expect(coverage).toBeGreaterThanOrEqual(0.95 - 3 * Math.sqrt((0.05 * 0.95) / DRAWS));
    }
  });

  it("compare's difference test: nominal false-positive rate, stated power", () => {
    const p = (delta: number) => (rng: Rng) => {
      const d = differenceCell(
        { matrix: draw(rng, 6, 0.5 + delta), groups: [[0, 1, 2, 3, 4, 5]] },
        { matrix: draw(rng, 6, 0.5), groups: [[0, 1, 2, 3, 4, 5]] },
        { level: 0.95 },
      );
      return d.pValue! < 0.05;
    };
    const fpr = rate(DRAWS, p(0), 1);
    expect(fpr).toBeLessThanOrEqual(NOMINAL_MAX);
    // Planted effect: δ = 0.4 (≈ 3.4 standard errors of the difference at K = 6): power ≥ 0.8.
    expect(rate(DRAWS, p(0.4), 2)).toBeGreaterThanOrEqual(0.8);
  });

  it('the pair-value permutation test it replaces is anti-conservative on the same data', () => {
    const fpr = rate(
      200,
      (rng) => {
        const a = pairValues(draw(rng, 6, 0.5));
        const b = pairValues(draw(rng, 6, 0.5));
        return permutationTest(a, b, { maxExact: 0, resamples: 400, seed: 0 }).pValue < 0.05;
      },
      3,
    );
    expect(fpr).toBeGreaterThan(0.15);
  });

  it('study verdicts (difference of two arms): reproduced at most at the nominal rate; power at δ = 0.4', () => {
    const verdict = (delta: number) => (rng: Rng) =>
      differenceVerdict(
        'a > b',
        'simulated',
        pairwiseDifference({ matrix: draw(rng, 6, 0.5 + delta) }, { matrix: draw(rng, 6, 0.5) }),
        passed,
        ['a', 'b'],
      ).status === 'reproduced';
    expect(rate(DRAWS, verdict(0), 4)).toBeLessThanOrEqual(NOMINAL_MAX);
    expect(rate(DRAWS, verdict(0.4), 5)).toBeGreaterThanOrEqual(0.8);
    // A failed gate makes every verdict inconclusive, whatever the data.
    const rng = new Rng(6);
    const gated = differenceVerdict(
      'a > b',
      'simulated',
      pairwiseDifference({ matrix: draw(rng, 6, 2) }, { matrix: draw(rng, 6, 0.5) }),
      [{ name: 'learned', passed: false, detail: 'exact match 0.1', runId: 7 }],
      ['a', 'b'],
    );
    expect(gated.status).toBe('inconclusive');
    expect(gated.evidence).toMatch(/gate failed: learned \(run-7\)/);
  });

  it('study verdicts (change over a baseline): reproduced at most at the nominal rate; power at δ = 0.3', () => {
    // The per-pair change (final − init) of K = 8 models with no systematic change.
    const verdict = (delta: number) => (rng: Rng) =>
      aboveVerdict('rises', 'simulated change', pairwiseMean(draw(rng, 8, delta)), 0, passed)
        .status === 'reproduced';
    expect(rate(DRAWS, verdict(0), 7)).toBeLessThanOrEqual(NOMINAL_MAX);
    expect(rate(DRAWS, verdict(0.3), 8)).toBeGreaterThanOrEqual(0.8);
  });
});
