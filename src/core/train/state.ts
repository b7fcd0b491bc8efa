/**
 * Trainer checkpoints as plain data, and moving members between ensembles.
 *
 * A `TrainerState` is what the store serialises: named float32 arrays with their shapes (every
 * shape has the member axis K first), plus the step, Adam's t and the per-member dropout RNG.
 * `extractMember` turns member k of an ensemble into a solo (K = 1) state that resumes exactly as
 * that member would have; `stackMembers` is the inverse.
 */
import type { RngState } from '../rng';

export const TRAINER_STATE_FORMAT = 'homolab-trainer/1';

export interface TrainerState {
  format: typeof TRAINER_STATE_FORMAT;
  /** Ensemble size K. */
  members: number;
  /** Init seed per member. */
  seeds: number[];
  /** Completed updates. */
  step: number;
  /** Adam's update counter (equals `step` unless updates were skipped). */
  adamT: number;
  /** Dropout RNG state per member. */
  dropoutRng: RngState[];
  /** `param/<name>`, `adam_m/<name>`, `adam_v/<name>` → values, row-major. */
  tensors: Record<string, Float32Array>;
  shapes: Record<string, number[]>;
}

/** Member k alone, as a K = 1 state (copies). */
export function extractMember(state: TrainerState, k: number): TrainerState {
  if (!(Number.isInteger(k) && k >= 0 && k < state.members))
    throw new Error(`extractMember: member ${k} out of range 0..${state.members - 1}`);
  const tensors: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const [key, data] of Object.entries(state.tensors)) {
    const shape = state.shapes[key];
    const size = data.length / shape[0];
    tensors[key] = data.slice(k * size, (k + 1) * size);
    shapes[key] = [1, ...shape.slice(1)];
  }
  return {
    ...state,
    members: 1,
    seeds: [state.seeds[k]],
    dropoutRng: [[...state.dropoutRng[k]] as RngState],
    tensors,
    shapes,
  };
}

/** Stacks states of identical shape into one K = Σ members state (same step required). */
export function stackMembers(states: TrainerState[]): TrainerState {
  if (states.length === 0) throw new Error('stackMembers: no states');
  const first = states[0];
  for (const s of states)
    if (s.step !== first.step || s.adamT !== first.adamT)
      throw new Error('stackMembers: all members must be at the same step');
  const tensors: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  const members = states.reduce((n, s) => n + s.members, 0);
  for (const key of Object.keys(first.tensors)) {
    const rest = first.shapes[key].slice(1).join(',');
    for (const s of states)
      if (!s.shapes[key] || s.shapes[key].slice(1).join(',') !== rest)
        throw new Error(`stackMembers: '${key}' shapes differ`);
    const out = new Float32Array(states.reduce((n, s) => n + s.tensors[key].length, 0));
    let o = 0;
    for (const s of states) {
      out.set(s.tensors[key], o);
      o += s.tensors[key].length;
    }
    tensors[key] = out;
    shapes[key] = [members, ...first.shapes[key].slice(1)];
  }
  return {
    format: first.format,
    members,
    seeds: states.flatMap((s) => s.seeds),
    step: first.step,
    adamT: first.adamT,
    dropoutRng: states.flatMap((s) => s.dropoutRng),
    tensors,
    shapes,
  };
}
