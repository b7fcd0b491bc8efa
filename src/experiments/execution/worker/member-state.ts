/**
 * Converting between the trainer's state (`[K, …]` stacked tensors) and per-run store
 * checkpoints: each run stores its own member as a K = 1 state, so a run can resume alone or
 * in any lockstep group, and exports/analyses read one model per checkpoint.
 *
 * Checkpoint layout: `weights` = `param/<name>` tensors (shape `[1, …]`), `optimizer` =
 * `adam_m/<name>` and `adam_v/<name>`; `rngState` = the member's dropout RNG; `meta.trainer`
 * = { step, adamT, seed }; `dataCursor` = the batcher cursor (shared by the group).
 */
import type {
  Checkpoint,
  CheckpointInput,
  Json,
  JsonObject,
  TensorMap,
} from '../../../../db/types';
import type { BatchCursor } from '../../../core/data';
import type { RngState } from '../../../core/rng';
import {
  extractMember,
  stackMembers,
  TRAINER_STATE_FORMAT,
  type TrainerState,
} from '../../../core/train';

export interface CheckpointMeta extends JsonObject {
  trainer: { step: number; adamT: number; seed: number };
  /** Running hash of every batch the run has seen (equal for runs that saw the same data). */
  batchHash: string;
  /** Training wall time so far, ms (continues across resumes). */
  wallMs: number;
}

/** Member `k` of a stacked state as one run's checkpoint. */
export function memberCheckpoint(
  state: TrainerState,
  k: number,
  cursor: BatchCursor,
  tokens: number,
  wallMs: number,
): CheckpointInput {
  const solo = extractMember(state, k);
  const weights: TensorMap = {};
  const optimizer: TensorMap = {};
  for (const [key, data] of Object.entries(solo.tensors)) {
    const entry = { shape: solo.shapes[key], data };
    if (key.startsWith('param/')) weights[key] = entry;
    else optimizer[key] = entry;
  }
  const meta: CheckpointMeta = {
    trainer: { step: solo.step, adamT: solo.adamT, seed: solo.seeds[0] },
    batchHash: cursor.hash,
    wallMs,
  };
  return {
    step: solo.step,
    tokens,
    weights,
    optimizer,
    dataCursor: cursor as unknown as Json,
    rngState: solo.dropoutRng[0] as unknown as Json,
    meta,
  };
}

/** Stacks runs' checkpoints (same step) back into one trainer state, in the given order. */
export function stackCheckpoints(cps: Checkpoint[]): TrainerState {
  const states = cps.map((cp): TrainerState => {
    const meta = cp.meta as CheckpointMeta;
    const tensors: Record<string, Float32Array> = {};
    const shapes: Record<string, number[]> = {};
    for (const [key, t] of [...Object.entries(cp.weights), ...Object.entries(cp.optimizer)]) {
      tensors[key] = t.data;
      shapes[key] = t.shape;
    }
    return {
      format: TRAINER_STATE_FORMAT,
      members: 1,
      seeds: [meta.trainer.seed],
      step: meta.trainer.step,
      adamT: meta.trainer.adamT,
      dropoutRng: [cp.rngState as unknown as RngState],
      tensors,
      shapes,
    };
  });
  return stackMembers(states);
}
