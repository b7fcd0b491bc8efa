import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import '../../../src/core/kernels';
import { Rng } from '../../../src/core/rng';

describe('cpu UnsortedSegmentSum (scatter-add)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('matches a direct scatter-add on random ids, with out-of-range ids dropped', () => {
    const rng = new Rng(7);
    const n = 37;
    const d = 5;
    const segments = 6;
    const xs = Array.from({ length: n * d }, () => Math.fround(rng.next() * 2 - 1));
    // ids in [-1, segments]: the two ends are out of range and must be ignored.
    const ids = Array.from({ length: n }, () => Math.floor(rng.next() * (segments + 2)) - 1);
    const want = new Float32Array(segments * d);
    ids.forEach((s, i) => {
      if (s < 0 || s >= segments) return;
      for (let j = 0; j < d; j++) want[s * d + j] = Math.fround(want[s * d + j] + xs[i * d + j]);
    });
    const got = tf.unsortedSegmentSum(tf.tensor2d(xs, [n, d]), tf.tensor1d(ids, 'int32'), segments);
    expect(got.shape).toEqual([segments, d]);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want));
  });

  it('keeps a NaN in its own segment (one lockstep member cannot poison the others)', () => {
    const x = tf.tensor2d([1, 2, NaN, 4, 5, 6], [3, 2]);
    const out = tf.unsortedSegmentSum(x, tf.tensor1d([0, 1, 2], 'int32'), 3).arraySync();
    expect(out[0]).toEqual([1, 2]);
    expect(Number.isNaN(out[1][0])).toBe(true);
    expect(out[1][1]).toBe(4);
    expect(out[2]).toEqual([5, 6]);
  });

  it('gives the embedding-lookup gradient through tf.grad', () => {
    const table = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([2, 0, 2], 'int32'))))(
      table,
    );
    expect(g.arraySync()).toEqual([
      [1, 1],
      [0, 0],
      [2, 2],
    ]);
  });
});
