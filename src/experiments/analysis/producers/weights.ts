/**
 * Weight measures from checkpoint weights (no forward pass): at each step, the spectra of every
 * model and, for same-shape pairs, permutation matching with loss barriers; per run, over all
 * its checkpoints, the weight trajectory against its initialisation.
 */
import type { Json } from '../../../../db/types';
import {
  checkpointWeights,
  initialWeights,
  weightTrajectory,
} from '../../../core/similarity/model';
import { WEIGHTS_LAYER } from '../rows';
import type { AnalysisSession, StepData } from '../session';
import { alignedTable, spectraTable } from '../weight-tables';
import { nothing, type StepProducer } from './producer';

export const spectra: StepProducer = {
  name: 'spectra',
  prepare(at: StepData) {
    const s = at.session;
    if (!s.plan.spectra) return nothing();
    if (s.isStored('spectra', 'model-matrix', at.step, at.ids, {})) return nothing(1);
    return {
      reused: 0,
      run: async () => {
        const weights = await at.weights();
        s.progress('spectra', at.step, at.frac(0.8), `step ${at.step}: weight spectra`);
        await s.time('spectra', () => {
          const t = spectraTable(
            at.here.map((m, i) => ({ config: m.config, weights: weights[i] })),
          );
          s.write(
            { kind: 'spectra', view: 'model-matrix', step: at.step, options: {}, ids: at.ids },
            [{ runIds: at.ids, layers: WEIGHTS_LAYER, result: t as unknown as Json }],
          );
        });
      },
    };
  },
};

export const alignedWeights: StepProducer = {
  name: 'aligned-weights',
  prepare(at: StepData) {
    const s = at.session;
    if (!at.pairwise || !s.plan.alignedWeights) return nothing();
    const options: Json = { alphas: s.barrier.alphas, rows: s.barrier.rows };
    if (s.isStored('aligned-weights', 'model-matrix', at.step, at.ids, options)) return nothing(1);
    return {
      reused: 0,
      run: async () => {
        const weights = await at.weights();
        const { step } = at;
        s.progress(
          'aligned-weights',
          step,
          at.frac(0.85),
          `step ${step}: permutation matching and loss barriers`,
        );
        await s.time('aligned-weights', async () => {
          const rows = Math.min(s.barrier.rows, s.probe.batch.batchSize);
          const b = s.probe.batch;
          const n = rows * s.T;
          const batch = {
            batchSize: rows,
            contextLength: s.T,
            inputs: b.inputs.slice(0, n),
            targets: b.targets.slice(0, n),
            weights: b.weights.slice(0, n),
          };
          const t = await alignedTable(
            at.here.map((m, i) => ({ config: m.config, weights: weights[i] })),
            batch,
            {
              alphas: s.barrier.alphas,
              onPair: (d, total) =>
                s.progress(
                  'aligned-weights',
                  step,
                  at.frac(0.85 + (0.15 * d) / total),
                  `step ${step}: matched ${d}/${total} pairs`,
                ),
            },
          );
          s.write({ kind: 'aligned-weights', view: 'model-matrix', step, options, ids: at.ids }, [
            { runIds: at.ids, layers: WEIGHTS_LAYER, result: t as unknown as Json },
          ]);
        });
      },
    };
  },
};

/** Per run, over all its checkpoints: distance and cosine to the init and to the final weights. */
export async function weightTrajectories(s: AnalysisSession): Promise<void> {
  if (!s.plan.weightTrajectory) return;
  await s.time('trajectories', () => {
    for (const m of s.models) {
      const steps = s.plan.checkpointSteps.get(m.run.id)!;
      const ids = [m.run.id];
      if (s.isStored('weight-trajectory', 'run', null, ids, steps)) {
        s.result.reused++;
        continue;
      }
      s.progress(
        'trajectories',
        null,
        1,
        `run ${m.run.id}: weight trajectory over ${steps.length} checkpoints`,
      );
      const checkpoints = steps.map((step) => ({ step, weights: s.weightsAt(m.run.id, step) }));
      // A fine-tune is measured from where it started: its parent's checkpoint (if still kept).
      const parent =
        m.run.parentRunId === null
          ? null
          : s.store.checkpoints.atStep(m.run.parentRunId, m.run.parentStep ?? 0);
      const start = parent
        ? checkpointWeights(parent.weights)
        : initialWeights(m.config, m.run.initSeed);
      const traj = weightTrajectory(start, checkpoints);
      s.write({ kind: 'weight-trajectory', view: 'run', step: null, options: steps, ids }, [
        { runIds: ids, layers: WEIGHTS_LAYER, result: traj as unknown as Json },
      ]);
    }
  });
}
