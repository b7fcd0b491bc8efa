/**
 * Cross-run weight distance done right: match B to A (matching.ts), then compare. The raw
 * (unaligned) comparison is reported alongside, labelled `naive`: across runs it mixes real
 * differences with mere relabelling of units (DESIGN.md, "Similarity, done right").
 *
 * Distances are over all parameters concatenated:
 *   distance          ‖θ_A − θ_B‖₂
 *   relativeDistance  ‖θ_A − θ_B‖₂ / √(‖θ_A‖₂·‖θ_B‖₂)   (symmetric; √(2 − 2·cos) for equal norms)
 *   cosine            ⟨θ_A, θ_B⟩ / (‖θ_A‖₂·‖θ_B‖₂)
 * Norm gains (≈ 1) and biases are included, as in Git Re-Basin; `matrices` repeats both
 * comparisons over the 2-D weight matrices only (embeddings, attention and MLP matrices, the
 * head): norm gains all start at 1, which alone gives two random inits a cosine near 1.
 */
import type { ModelConfig } from '../../model/config';
import { compareFlat } from '../weights';
import { matchTransformers, type MatchOptions, type MatchResult } from './matching';
import { flatView, type ModelWeights } from './model-weights';
import { permuteModel } from './permutation';

export interface WeightDistance {
  distance: number;
  relativeDistance: number;
  cosine: number;
}

export interface AlignmentResult {
  /** Raw comparison of A and B as stored: the naive baseline across runs. */
  naive: WeightDistance;
  /** After permutation matching: A vs π(B). */
  aligned: WeightDistance;
  /** The same over 2-D weight matrices only (no norm gains, no biases). */
  matrices: { naive: WeightDistance; aligned: WeightDistance };
  /** Relative distance per parameter, naive and aligned. */
  perParameter: Record<string, { naive: number; aligned: number }>;
  match: MatchResult;
  /** π(B), for interpolation (loss barrier). */
  alignedB: ModelWeights;
}

/** Distance, relative distance and cosine between two weight maps with the same names. */
export function weightDistance(a: ModelWeights, b: ModelWeights): WeightDistance {
  const f = compareFlat(flatView(a), flatView(b));
  const den = Math.sqrt(f.normA * f.normB);
  return {
    distance: f.distance,
    relativeDistance: den > 0 ? f.distance / den : NaN,
    cosine: f.cosine,
  };
}

/** The 2-D parameters of a weight map (matrices; gains and biases left out). */
export function matricesOnly(w: ModelWeights): ModelWeights {
  return Object.fromEntries(Object.entries(w).filter(([, t]) => t.shape.length === 2));
}

function relative(a: Float32Array, b: Float32Array): number {
  const f = compareFlat({ x: a }, { x: b });
  const den = Math.sqrt(f.normA * f.normB);
  return den > 0 ? f.distance / den : f.distance === 0 ? 0 : NaN;
}

/** Matches B to A and compares before and after. */
export function alignModels(
  config: ModelConfig,
  a: ModelWeights,
  b: ModelWeights,
  opts: MatchOptions = {},
): AlignmentResult {
  const match = matchTransformers(config, a, b, opts);
  const alignedB = permuteModel(config, b, match.permutation);
  const perParameter: AlignmentResult['perParameter'] = {};
  for (const name of Object.keys(a))
    perParameter[name] = {
      naive: relative(a[name].data, b[name].data),
      aligned: relative(a[name].data, alignedB[name].data),
    };
  return {
    naive: weightDistance(a, b),
    aligned: weightDistance(a, alignedB),
    matrices: {
      naive: weightDistance(matricesOnly(a), matricesOnly(b)),
      aligned: weightDistance(matricesOnly(a), matricesOnly(alignedB)),
    },
    perParameter,
    match,
    alignedB,
  };
}
