/**
 * Fresh random inputs for property tests. Each test draws a new seed (from Math.random) so that
 * repeated CI runs explore new inputs; the seed is printed on failure and can be replayed with
 * SIMILARITY_SEED=<seed>.
 */
import { it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import type { Matrix } from '../../../src/core/similarity/matrix';

export function freshSeed(): number {
  const fixed = process.env.SIMILARITY_SEED;
  return fixed !== undefined ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}

/** `it` with a fresh seeded Rng; failures are prefixed with the seed. */
export function itRandom(
  name: string,
  fn: (rng: Rng, seed: number) => void,
  timeout?: number,
): void {
  it(
    name,
    () => {
      const seed = freshSeed();
      try {
        fn(new Rng(seed), seed);
      } catch (e) {
        if (e instanceof Error)
          e.message = `[seed ${seed}; replay with SIMILARITY_SEED=${seed}] ${e.message}`;
        throw e;
      }
    },
    timeout,
  );
}

/** rows×cols standard normal matrix. */
export function randn(rng: Rng, rows: number, cols: number): Matrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols, data };
}

/** A uniformly random d×d orthogonal matrix (Gram–Schmidt on a Gaussian matrix). */
export function randomOrthogonal(rng: Rng, d: number): Matrix {
  const q = randn(rng, d, d).data;
  // Orthonormalise columns, twice for numerical safety.
  for (let pass = 0; pass < 2; pass++)
    for (let j = 0; j < d; j++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += q[i * d + j] * q[i * d + p];
        for (let i = 0; i < d; i++) q[i * d + j] -= dot * q[i * d + p];
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += q[i * d + j] ** 2;
      norm = Math.sqrt(norm);
      for (let i = 0; i < d; i++) q[i * d + j] /= norm;
    }
  return { rows: d, cols: d, data: q };
}

/** c·X·M + b (b a random row vector added to every row). */
export function affine(rng: Rng, x: Matrix, m: Matrix, c: number): Matrix {
  const out = new Float64Array(x.rows * m.cols);
  const b = Array.from({ length: m.cols }, () => rng.normal() * 3);
  for (let i = 0; i < x.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      let s = 0;
      for (let k = 0; k < x.cols; k++) s += x.data[i * x.cols + k] * m.data[k * m.cols + j];
      out[i * m.cols + j] = c * s + b[j];
    }
  return { rows: x.rows, cols: m.cols, data: out };
}

/** Uniform integer in [lo, hi]. */
export function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}
