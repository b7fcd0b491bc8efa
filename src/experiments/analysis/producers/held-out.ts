/** Held-out scores of every run at one step (AnalyzeOptions.heldOut; see ../held-out.ts). */
import type { Json } from '../../../../db/types';
import { HELD_OUT_KIND, heldOutScores } from '../held-out';
import { OUTPUT_LAYER } from '../rows';
import type { StepData } from '../session';
import { nothing, type StepProducer } from './producer';

export const heldOut: StepProducer = {
  name: 'held-out',
  prepare(at: StepData) {
    const s = at.session;
    if (!s.opts.heldOut || !at.here.length) return nothing();
    if (s.isStored(HELD_OUT_KIND, 'models', at.step, at.ids, {})) return nothing(1);
    return {
      reused: 0,
      run: async () => {
        const acts = await at.activations();
        const scores = heldOutScores(
          acts.map((a) => a.logits),
          s.targets,
          s.probe.scoredPositions,
          s.T,
        );
        s.write({ kind: HELD_OUT_KIND, view: 'models', step: at.step, options: {}, ids: at.ids }, [
          { runIds: at.ids, layers: OUTPUT_LAYER, result: scores as unknown as Json },
        ]);
      },
    };
  },
};
