/** Output measures at one step: model × model at the probe's scored positions, and H over all. */
import type { Json } from '../../../../db/types';
import { outputTables } from '../pairwise';
import { OUTPUT_LAYER } from '../rows';
import type { StepData } from '../session';
import { nothing, type StepProducer } from './producer';

export const outputs: StepProducer = {
  name: 'outputs',
  prepare(at: StepData) {
    const s = at.session;
    if (!at.pairwise) return nothing();
    const all = s.plan.output;
    const todo = all.filter((m) => !s.isStored(m, 'model-matrix', at.step, at.ids, {}));
    const reused = all.length - todo.length;
    if (!todo.length) return nothing(reused);
    return {
      reused,
      run: async () => {
        const acts = await at.activations();
        s.progress('outputs', at.step, at.frac(0.7), `step ${at.step}: ${todo.join(', ')}`);
        await s.time('outputs', () => {
          if (new Set(at.here.map((m) => m.config.vocabSize)).size > 1) {
            s.note(`step ${at.step}: output measures skipped, the runs' vocabulary sizes differ`);
            return;
          }
          const t = outputTables(
            acts.map((a) => a.logits),
            s.targets,
            todo,
          );
          for (const m of todo)
            s.write({ kind: m, view: 'model-matrix', step: at.step, options: {}, ids: at.ids }, [
              { runIds: at.ids, layers: OUTPUT_LAYER, result: t[m] as unknown as Json },
            ]);
        });
      },
    };
  },
};
