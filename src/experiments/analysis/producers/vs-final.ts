/**
 * Within-run convergence: each run at this step against its own final checkpoint, per layer,
 * for the layer measures (no symmetry to align: a network compared with itself).
 */
import { MEASURES as REGISTRY } from '../../../core/similarity/registry';
import type { GroupRow } from '../rows';
import type { StepData } from '../session';
import { nothing, type StepProducer } from './producer';

export const vsFinal: StepProducer = {
  name: 'vs-final',
  prepare(at: StepData) {
    const s = at.session;
    const runs = at.here.filter((m) => s.finalStep(m.run.id) > at.step);
    if (!runs.length) return nothing();
    const todo = s.plan.layer.filter(
      (m) => !s.isStored(m, 'vs-final', at.step, at.ids, s.repOptions(m)),
    );
    const reused = s.plan.layer.length - todo.length;
    if (!todo.length) return nothing(reused);
    return {
      reused,
      run: async () => {
        const acts = await at.activations();
        s.progress(
          'trajectories',
          at.step,
          at.frac(0.68),
          `step ${at.step}: each run against its final state`,
        );
        await s.time('trajectories', async () => {
          const finals = await s.finalActivations(runs);
          for (const m of todo) {
            const rows: GroupRow[] = [];
            at.here.forEach((rm, i) => {
              const fin = finals.get(rm.run.id);
              const finalStep = s.finalStep(rm.run.id);
              if (!fin || finalStep <= at.step) return;
              for (const [layer, x] of acts[i].layers) {
                const y = fin.layers.get(layer);
                if (!y) continue;
                let value: number;
                try {
                  value = REGISTRY[m].compute(x, y, s.measureOptions).value;
                } catch {
                  value = NaN;
                }
                rows.push({
                  runIds: [rm.run.id, rm.run.id],
                  layers: layer,
                  result: { value: Number.isFinite(value) ? value : null, finalStep },
                });
              }
            });
            s.write(
              { kind: m, view: 'vs-final', step: at.step, options: s.repOptions(m), ids: at.ids },
              rows,
            );
          }
        });
      },
    };
  },
};
