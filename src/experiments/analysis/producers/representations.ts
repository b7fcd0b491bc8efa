/**
 * Representation measures at one step: model × model per layer, and layer × layer per run
 * pair for the layer measures — both from one `RepresentationTables`, whose per-model work
 * (centering, Grams, neighbour lists) serves every pair and measure.
 */
import type { Json } from '../../../../db/types';
import { layerNames, RepresentationTables } from '../pairwise';
import type { GroupRow } from '../rows';
import type { StepData } from '../session';
import { nothing, type StepProducer } from './producer';

export const representations: StepProducer = {
  name: 'representations',
  prepare(at: StepData) {
    const s = at.session;
    const { representation, layer } = s.plan;
    if (!at.pairwise) return nothing();
    const repTodo = representation.filter(
      (m) => !s.isStored(m, 'model-matrix', at.step, at.ids, s.repOptions(m)),
    );
    const layerTodo = layer.filter(
      (m) => !s.isStored(m, 'layer-matrix', at.step, at.ids, s.repOptions(m)),
    );
    const reused = representation.length - repTodo.length + (layer.length - layerTodo.length);
    if (!repTodo.length && !layerTodo.length) return nothing(reused);
    return {
      reused,
      run: async () => {
        const acts = await at.activations();
        const tables = new RepresentationTables(acts, s.measureOptions);
        const { step, ids } = at;
        await s.time('layers', () => {
          for (const m of layerTodo) {
            s.progress(
              'layers',
              step,
              at.frac(0.2),
              `step ${step}: ${m} layer × layer for every pair`,
            );
            const rows: GroupRow[] = [];
            for (let i = 0; i < ids.length; i++)
              for (let j = i + 1; j < ids.length; j++)
                rows.push({
                  runIds: [ids[i], ids[j]],
                  layers: null,
                  result: tables.layerMatrix(m, i, j) as unknown as Json,
                });
            s.write({ kind: m, view: 'layer-matrix', step, options: s.repOptions(m), ids }, rows);
          }
        });
        await s.time('representations', () => {
          const layers = layerNames(acts);
          const rows = new Map(repTodo.map((m) => [m, [] as GroupRow[]]));
          layers.forEach((layer, li) => {
            s.progress(
              'representations',
              step,
              at.frac(0.3 + (0.4 * li) / layers.length),
              `step ${step}: ${repTodo.join(', ')} at ${layer}`,
            );
            tables.prepare(layer, repTodo); // one Gram per model for RBF CKA and mutual k-NN
            for (const m of repTodo)
              rows.get(m)!.push({
                runIds: ids,
                layers: layer,
                result: tables.modelMatrix(m, layer) as unknown as Json,
              });
            tables.release(layer);
          });
          for (const m of repTodo)
            s.write(
              { kind: m, view: 'model-matrix', step, options: s.repOptions(m), ids },
              rows.get(m)!,
            );
        });
      },
    };
  },
};
