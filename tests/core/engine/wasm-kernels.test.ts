import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';

async function onBackend(b: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await initBackend(b);
  const t = f();
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

const close = (a: Float32Array, b: Float32Array, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
};

it('wasm UnsortedSegmentSum (the embedding gradient) matches cpu, dropping out-of-range ids', async () => {
  const x = Float32Array.from({ length: 6 * 3 }, (_, i) => i * 0.5 - 2);
  const ids = Int32Array.from([2, 0, 2, 5, 1, 2]);
  const f = () => tf.unsortedSegmentSum(tf.tensor(x, [6, 3]), tf.tensor(ids, [6], 'int32'), 4);
  const cpu = await onBackend('cpu', f);
  const wasm = await onBackend('wasm', f);
  expect(Array.from(wasm)).toEqual(Array.from(cpu));
  // And through autodiff of gather, as the model uses it.
  const g = () => {
    const table = tf.tensor(x.slice(0, 12), [4, 3]);
    return tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(tf.gather(t, tf.tensor([1, 1, 3], [3], 'int32')), 2)),
    )(table);
  };
  expect(Array.from(await onBackend('wasm', g))).toEqual([0, 0, 0, 4, 4, 4, 0, 0, 0, 2, 2, 2]);
});

it.each([
  [false, false],
  [true, false],
  [false, true],
  [true, true],
])('wasm BatchMatMul with transposeA=%s transposeB=%s matches cpu', async (ta, tb) => {
  const a = Float32Array.from({ length: 3 * 5 * 7 }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: 3 * 7 * 4 }, (_, i) => Math.cos(i));
  const f = () =>
    tf.matMul(
      tf.tensor(a, ta ? [3, 7, 5] : [3, 5, 7]),
      tf.tensor(b, tb ? [3, 4, 7] : [3, 7, 4]),
      ta,
      tb,
    );
  close(await onBackend('wasm', f), await onBackend('cpu', f), 1e-5);
  // Broadcast of a rank-2 operand, as attention's rotary matmul uses.
  const h = () =>
    tf.matMul(tf.tensor(a.slice(0, 35), [5, 7]), tf.tensor(b.slice(0, 28), [4, 7]), false, true);
  close(await onBackend('wasm', h), await onBackend('cpu', h), 1e-5);
  await initBackend('wasm');
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    f();
  });
  expect(tf.memory().numTensors).toBe(before);
});

it('wasm one-hot in float32 via int32 + cast is exact (the raw float32 OneHot kernel is broken)', async () => {
  const f = () => tf.cast(tf.oneHot(tf.tensor([0, 2], [2], 'int32'), 3), 'float32');
  expect(Array.from(await onBackend('wasm', f))).toEqual([1, 0, 0, 0, 0, 1]);
});
