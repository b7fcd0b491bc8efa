/**
 * The estimate's notes come from the lab in English; the app words each one in 简体中文. Fed
 * the notes the lab writes (calibrated and rough estimates, a busy pool, another backend).
 */
import { describe, expect, it } from 'vitest';
import { setLocale } from '../../../renderer/src/i18n';
import { estimateNote } from '../../../renderer/src/i18n/names';
import { calibrationKey, estimateCost } from '../../../src/experiments/spec/estimate';
import { getPreset } from '../../../src/experiments/spec/presets';
import { groupLockstep } from '../../../src/experiments/spec/variants';
import { parseSpec } from '../../../src/experiments/spec/parse-spec';

describe('estimate notes in 简体中文', () => {
  it('translates every note the lab writes', () => {
    const { variants } = parseSpec(getPreset('seed-sweep').spec('tiny'));
    const groups = groupLockstep(variants);
    const rough = estimateCost(groups, 16, 'wasm');
    // Every job's shape timed: a calibrated estimate.
    const calibrations = new Map(
      groups.map((g) => [
        calibrationKey(g.variants[0], 16, g.variants.length),
        { stepMs: 1, evalBatchMs: 1 },
      ]),
    );
    const timed = estimateCost(groups, 16, 'wasm', undefined, { calibrations, workers: 2 });
    expect([rough.calibrated, timed.calibrated]).toEqual([false, true]);
    const notes = [
      ...rough.notes,
      ...timed.notes,
      'every worker is busy: calibration waits until one is free',
      'the lab trains on webgpu: not calibrated here',
    ];
    setLocale('zh-CN');
    try {
      for (const n of notes) expect(estimateNote(n), n).not.toMatch(/^[\x20-\x7e]+$/);
    } finally {
      setLocale('en');
    }
  });
});
