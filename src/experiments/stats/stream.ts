/**
 * The one seeded stream of the statistics module. Every Monte Carlo procedure (bootstrap
 * resamples, random relabellings of a permutation test) starts a fresh generator from the
 * caller's seed here — xoshiro128** from src/core/rng.ts, seeded once per procedure through
 * the named sub-stream 'homolab-stats' — so the same data and seed give the same numbers
 * whether a study report or a comparison asks for them. The default seed is 0.
 */
import { Rng } from '../../core/rng';

export const DEFAULT_STATS_SEED = 0;

export function statsStream(seed: number = DEFAULT_STATS_SEED): Rng {
  return Rng.derive(seed, 'homolab-stats');
}

/** Fisher–Yates shuffle in place, drawing from `rng`. */
export function shuffle<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}
