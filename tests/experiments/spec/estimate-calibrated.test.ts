/** The cost estimate from calibrated step times, packed onto the pool's workers longest first. */
import { describe, expect, it } from 'vitest';
import {
  calibrationKey,
  estimateCost,
  longestFirstMakespan,
} from '../../../src/experiments/spec/estimate';
import { getPreset } from '../../../src/experiments/spec/presets';
import { parseSpec } from '../../../src/experiments/spec/parse-spec';
import { groupLockstep } from '../../../src/experiments/spec/variants';

describe('longestFirstMakespan', () => {
  it('packs jobs longest first onto the workers', () => {
    expect(longestFirstMakespan([5, 5, 5, 5], 2)).toBe(10);
    expect(longestFirstMakespan([7, 3, 3, 1], 2)).toBe(7);
    expect(longestFirstMakespan([4, 4, 4], 1)).toBe(12);
    expect(longestFirstMakespan([2], 8)).toBe(2);
  });
});

describe('estimateCost with a calibration', () => {
  const spec = getPreset('seed-sweep').spec('tiny');
  spec.axes = { grid: { initSeed: [0, 1, 2, 3, 4, 5, 6, 7] } };
  spec.training = { ...spec.training, steps: 100, evalEvery: 50, evalBatches: 2 };
  const { variants } = parseSpec(spec);
  const groups = groupLockstep(variants);
  const vocab = 40;

  it('times every run alone on the pool: steps × step time + evaluations, longest first', () => {
    const key = calibrationKey(variants[0], vocab, 1);
    const e = estimateCost(groups, vocab, 'wasm', undefined, {
      calibrations: new Map([[key, { stepMs: 10, evalBatchMs: 5 }]]),
      workers: 2,
      lockstep: false,
      workerStartSec: 1.5,
    });
    expect(e.calibrated).toBe(true);
    expect(e.workers).toBe(2);
    // One run: 100 × 10 ms + 2 evaluations (steps 50, 100) × 2 batches × 5 ms = 1.02 s.
    expect(e.seconds).toBeCloseTo(4 * 1.02 + 1.5, 9);
    expect(e.notes[0]).toMatch(/timed on this machine/);
  });

  it('stacks the group into one job in lockstep, and falls back to the rough model when a shape is missing', () => {
    const key = calibrationKey(variants[0], vocab, 8);
    const e = estimateCost(groups, vocab, 'wasm', undefined, {
      calibrations: new Map([[key, { stepMs: 40, evalBatchMs: 20 }]]),
      workers: 1,
    });
    expect(e.calibrated).toBe(true);
    expect(e.seconds).toBeCloseTo(100 * 0.04 + 2 * 2 * 0.02, 9);
    const rough = estimateCost(groups, vocab, 'wasm', undefined, {
      calibrations: new Map(),
      workers: 2,
      lockstep: false,
    });
    expect(rough.calibrated).toBe(false);
    expect(rough.notes[0]).toMatch(/rough throughput model/);
  });
});
