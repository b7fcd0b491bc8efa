/**
 * Whether starting a spec needs the user's confirmation (long training) or cannot work here
 * (a model that cannot fit in this machine's memory), said in words with a code for the app.
 *
 * The memory side is a lower bound on purpose: one model's weights, gradients and Adam's two
 * moments in float32 (16 bytes per parameter), activations not counted — a refusal is then
 * certain, never a guess. The detailed memory estimate belongs to src/experiments/spec.
 */
import { totalmem } from 'node:os';
import type { CostEstimate as SpecCost } from '../experiments/spec/estimate';
import type { Reason } from './types';

/** The codes of the verdict's reasons (the app words each one). */
export const COST_REASON_CODES = ['long_training', 'too_big_for_memory'] as const;

/** Above this much estimated training time, starting asks first. */
export const CONFIRM_SECONDS = 3600;
const BYTES_PER_PARAMETER = 16;

export interface CostVerdict {
  confirm: Reason | null;
  refuse: Reason | null;
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 10 * 2 ** 30 ? 1 : 0)} GB`;
const hours = (s: number) =>
  s >= 3600 ? `${(s / 3600).toFixed(s >= 36_000 ? 0 : 1)} h` : `${Math.round(s / 60)} min`;

export function costGate(e: SpecCost, memoryBytes = totalmem()): CostVerdict {
  const largest = Math.max(0, ...e.runs.map((r) => r.parameters));
  const need = largest * BYTES_PER_PARAMETER;
  const refuse: Reason | null =
    need > memoryBytes
      ? {
          code: 'too_big_for_memory',
          message: `a model of ${largest.toExponential(2)} parameters needs at least ${gb(need)} for its weights and optimizer state; this machine has ${gb(memoryBytes)}. Make the model smaller (d_model, layers, d_ff or the vocabulary).`,
          params: { need: gb(need), have: gb(memoryBytes) },
        }
      : null;
  const confirm: Reason | null =
    !refuse && Number.isFinite(e.seconds) && e.seconds > CONFIRM_SECONDS
      ? {
          code: 'long_training',
          message: `training is estimated to take about ${hours(e.seconds)} on ${e.backend}`,
          params: { time: hours(e.seconds), backend: e.backend },
        }
      : null;
  return { confirm, refuse };
}
