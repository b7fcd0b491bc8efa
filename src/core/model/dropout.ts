/**
 * Deterministic, checkpointable dropout for lockstep ensembles.
 *
 * Each member owns one `Rng` stream (seeded from its init seed, stream `dropout`), so member k of
 * a K-ensemble draws exactly the masks a solo model with the same seed would, on any backend.
 * Masks are drawn in JS (uniform per element) and uploaded; the state is four uint32 per member.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type RngState } from '../rng';

export class DropoutStreams {
  private rngs: Rng[];

  /** One stream per member, derived from that member's seed. */
  constructor(seeds: number[]) {
    this.rngs = seeds.map((s) => Rng.derive(s, 'dropout'));
  }

  get members(): number {
    return this.rngs.length;
  }

  /**
   * A `[K, ...shape]` tensor of inverted-dropout multipliers: 0 with probability p, else
   * 1/(1−p). Member k's block comes from member k's stream only.
   */
  mask(shape: number[], p: number): tf.Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    const K = this.rngs.length;
    const out = new Float32Array(K * size);
    const keep = 1 / (1 - p);
    for (let k = 0; k < K; k++) {
      const rng = this.rngs[k];
      const base = k * size;
      for (let i = 0; i < size; i++) out[base + i] = rng.next() < p ? 0 : keep;
    }
    return tf.tensor(out, [K, ...shape], 'float32');
  }

  state(): RngState[] {
    return this.rngs.map((r) => r.state());
  }

  setState(states: RngState[]): void {
    if (states.length !== this.rngs.length)
      throw new Error(`dropout state has ${states.length} members, expected ${this.rngs.length}`);
    this.rngs = states.map((s) => new Rng(s));
  }
}
