import { describe, expect, it } from 'vitest';
import {
  CorruptTensorsError,
  decodeTensors,
  encodeTensors,
  verifyTensors,
} from '../../db/tensor-codec';
import { Rng } from '../../src/core/rng';
import { tensors } from './helpers';

describe('tensor codec', () => {
  const rng = new Rng(3);
  const t = tensors(rng, { 'a.w': [3, 5], 'b/ü': [7], scalar: [], empty: [0, 4] });

  it('round-trips names, shapes and exact float32 data', () => {
    const blob = encodeTensors(t);
    const back = decodeTensors(blob);
    expect(Object.keys(back)).toEqual(Object.keys(t));
    for (const k of Object.keys(t)) {
      expect(back[k].shape).toEqual(t[k].shape);
      expect(Array.from(back[k].data)).toEqual(Array.from(t[k].data));
    }
    // Header 16 + entries + data + CRC: compact (no per-value overhead).
    const dataBytes = 4 * (15 + 7 + 1 + 0);
    expect(blob.length).toBeLessThan(dataBytes + 100);
  });

  it('decodes from an unaligned view', () => {
    const blob = encodeTensors(t);
    const shifted = Buffer.alloc(blob.length + 1);
    blob.copy(shifted, 1);
    expect(Array.from(decodeTensors(shifted.subarray(1))['a.w'].data)).toEqual(
      Array.from(t['a.w'].data),
    );
  });

  it('detects any flipped byte and truncation', () => {
    const blob = encodeTensors(t);
    for (const pos of [0, 5, 20, Math.floor(blob.length / 2), blob.length - 5, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[pos] ^= 0x40;
      expect(verifyTensors(bad)).toBe(false);
      expect(() => decodeTensors(bad)).toThrow(CorruptTensorsError);
    }
    expect(() => decodeTensors(blob.subarray(0, blob.length - 8))).toThrow(/corrupt/);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => encodeTensors({ x: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /shape \[2,2\] has 4 elements, data has 3/,
    );
  });
});
