/**
 * Within-run weight trajectories: how far a run's weights are, checkpoint by checkpoint, from
 * its initialisation and from its final weights. Within one run there is no permutation
 * ambiguity (units keep their identity through training), so raw distances are meaningful.
 *
 * Per checkpoint: ‖θ_t − θ_ref‖₂, the relative distance ‖θ_t − θ_ref‖₂ / ‖θ_ref‖₂ and the
 * cosine ⟨θ_t, θ_ref⟩ / (‖θ_t‖·‖θ_ref‖), over all parameters concatenated.
 * The initial weights need not be stored: the engine's init is deterministic from the seed
 * (`initMemberValues`), see `initialWeights`.
 */
import type { ModelConfig } from '../../model/config';
import { initMemberValues, paramSpecs } from '../../model/transformer';
import { compareFlat } from '../weights';
import { flatView, type ModelWeights } from './model-weights';

/** The weights a model with this config and init seed starts from (bit-exact). */
export function initialWeights(config: ModelConfig, seed: number): ModelWeights {
  const values = initMemberValues(config, seed);
  const out: ModelWeights = {};
  paramSpecs(config).forEach((s, i) => (out[s.name] = { shape: [...s.shape], data: values[i] }));
  return out;
}

export interface WeightTrajectory {
  steps: number[];
  distanceToInit: number[];
  relativeToInit: number[];
  cosineToInit: number[];
  distanceToFinal: number[];
  relativeToFinal: number[];
  cosineToFinal: number[];
}

/**
 * The trajectory of checkpoints (any order; sorted by step here) against `init` and the
 * checkpoint with the largest step.
 */
export function weightTrajectory(
  init: ModelWeights,
  checkpoints: readonly { step: number; weights: ModelWeights }[],
): WeightTrajectory {
  if (!checkpoints.length) throw new Error('weightTrajectory: no checkpoints');
  const cps = [...checkpoints].sort((x, y) => x.step - y.step);
  const final = flatView(cps[cps.length - 1].weights);
  const init0 = flatView(init);
  const t: WeightTrajectory = {
    steps: [],
    distanceToInit: [],
    relativeToInit: [],
    cosineToInit: [],
    distanceToFinal: [],
    relativeToFinal: [],
    cosineToFinal: [],
  };
  for (const cp of cps) {
    const w = flatView(cp.weights);
    const i = compareFlat(w, init0);
    const f = compareFlat(w, final);
    t.steps.push(cp.step);
    t.distanceToInit.push(i.distance);
    t.relativeToInit.push(i.normB > 0 ? i.distance / i.normB : NaN);
    t.cosineToInit.push(i.cosine);
    t.distanceToFinal.push(f.distance);
    t.relativeToFinal.push(f.normB > 0 ? f.distance / f.normB : NaN);
    t.cosineToFinal.push(f.cosine);
  }
  return t;
}
