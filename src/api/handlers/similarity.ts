/**
 * Similarity views over stored analyses (computed by the analysis step, src/experiments +
 * src/core/similarity). Reads analysis rows; computes nothing heavy itself except the 2-D MDS
 * map from a stored matrix.
 */
import type { Handlers } from '../dispatcher';
import { notFound } from '../errors';
import type { LabContext } from '../lab-context';
import { classicalMds } from '../mds';
import { measureInfo } from '../measure-info';
import type { SimilarityMatrix, SimilarityTrajectory } from '../types';
import { pairData, sortLayers, type PairValue } from '../../experiments/analysis/rows';

export function similarityHandlers(
  ctx: LabContext,
): Pick<
  Handlers,
  | 'getSimilarityIndex'
  | 'analyzeExperiment'
  | 'getModelMatrix'
  | 'getLayerMatrix'
  | 'getTrajectory'
  | 'getModelMap'
  | 'getGenerations'
> {
  const { store } = ctx;

  const load = (experimentId: number) => {
    if (!store.experiments.get(experimentId)) throw notFound('Experiment', String(experimentId));
    const runs = store.runs.listByExperiment(experimentId);
    return { runs, data: pairData(store, experimentId) };
  };

  const runLabel = (runs: { id: number; name: string }[], id: number) =>
    runs.find((r) => r.id === id)?.name ?? `run ${id}`;

  /** Final step if none asked: the largest step that has values for this measure. */
  const pickStep = (values: PairValue[], step: number | undefined) => {
    if (step !== undefined) return step;
    const steps = values.map((v) => v.step ?? -1);
    return steps.length ? Math.max(...steps) : -1;
  };

  function modelMatrix(
    experimentId: number,
    measure: string,
    layer: string,
    step?: number,
  ): SimilarityMatrix {
    const { runs, data } = load(experimentId);
    const values = data.pairs.filter(
      (p) =>
        p.view === 'model-matrix' &&
        p.measure === measure &&
        p.layerA === layer &&
        p.layerB === layer,
    );
    const s = pickStep(values, step);
    const ids = data.runIds.length ? data.runIds : runs.map((r) => r.id);
    const info = measureInfo(measure);
    const self = info ? (info.higherIsSimilar ? 1 : 0) : null;
    const m = ids.map((a) =>
      ids.map((b) => {
        if (a === b) return self;
        const v = values.find(
          (p) =>
            (p.step ?? -1) === s &&
            ((p.runA === a && p.runB === b) || (p.runA === b && p.runB === a)),
        );
        return v ? v.value : null;
      }),
    );
    const labels = ids.map((id) => runLabel(runs, id));
    return {
      measure,
      rowLabels: labels,
      colLabels: labels,
      values: m,
      step: s < 0 ? null : s,
      layer,
    };
  }

  return {
    getSimilarityIndex: ({ experimentId }) => {
      const { runs, data } = load(experimentId);
      const runIds = data.runIds.length ? data.runIds : runs.map((r) => r.id);
      return {
        experimentId,
        measures: data.measures,
        layers: data.layers,
        layersByMeasure: Object.fromEntries(
          data.measures.map((m) => [
            m,
            sortLayers(
              data.pairs
                .filter((p) => p.measure === m && p.layerA === p.layerB)
                .map((p) => p.layerA),
            ),
          ]),
        ),
        steps: data.steps,
        runIds,
        runNames: Object.fromEntries(runIds.map((id) => [String(id), runLabel(runs, id)])),
        hasGenerations: runs.some((r) => store.samples.list(r.id).length > 0),
      };
    },

    analyzeExperiment: ({ experimentId, measures, steps, maxTokens }) => {
      if (!store.experiments.get(experimentId)) throw notFound('Experiment', String(experimentId));
      // Queued on the lab's workers (after its training, if it trains); progress as events.
      ctx.lab
        .analyze({ experimentId, measures, steps, maxTokens })
        .catch((err: unknown) =>
          ctx.log(`homolab: analysis of experiment ${experimentId} failed: ${String(err)}`),
        );
      return { ok: true };
    },

    getModelMatrix: ({ experimentId, measure, layer, step }) =>
      modelMatrix(experimentId, measure, layer, step),

    getLayerMatrix: ({ experimentId, measure, runA, runB, step }) => {
      const { runs, data } = load(experimentId);
      const values = data.pairs.filter(
        (p) =>
          p.view === 'layer-matrix' &&
          p.measure === measure &&
          ((p.runA === runA && p.runB === runB) || (p.runA === runB && p.runB === runA)),
      );
      const s = pickStep(values, step);
      const at = values.filter((p) => (p.step ?? -1) === s);
      // This measure's layers only (an output measure has no layer × layer view).
      const layers = sortLayers(values.flatMap((p) => [p.layerA, p.layerB]));
      const m = layers.map((la) =>
        layers.map((lb) => {
          const v = at.find(
            (p) =>
              (p.runA === runA && p.layerA === la && p.layerB === lb) ||
              (p.runA === runB && p.layerA === lb && p.layerB === la),
          );
          if (v) return v.value;
          if (runA === runB && la === lb) {
            const info = measureInfo(measure);
            return info ? (info.higherIsSimilar ? 1 : 0) : null;
          }
          return null;
        }),
      );
      return {
        measure,
        rowLabels: layers.map((l) => `${runLabel(runs, runA)} · ${l}`),
        colLabels: layers.map((l) => `${runLabel(runs, runB)} · ${l}`),
        values: m,
        step: s < 0 ? null : s,
        layer: null,
      };
    },

    getTrajectory: ({ experimentId, measure, layer }) => {
      const { runs, data } = load(experimentId);
      const byKey = new Map<string, SimilarityTrajectory['series'][number]>();
      for (const p of data.pairs) {
        if (
          p.view === 'layer-matrix' ||
          p.measure !== measure ||
          p.layerA !== layer ||
          p.layerB !== layer ||
          p.step === null
        )
          continue;
        const vsFinal = p.view === 'vs-final';
        const key = vsFinal ? `${p.runA}|final` : `${p.runA}|${p.runB}`;
        let s = byKey.get(key);
        if (!s) {
          s = {
            key,
            // A run against its own final checkpoint is a convergence curve, not a pair.
            label: vsFinal
              ? `${runLabel(runs, p.runA)} vs its final checkpoint`
              : `${runLabel(runs, p.runA)} vs ${runLabel(runs, p.runB)}`,
            runA: p.runA,
            runB: vsFinal ? p.runA : p.runB,
            steps: [],
            values: [],
          };
          byKey.set(key, s);
        }
        s.steps.push(p.step);
        s.values.push(p.value);
      }
      const series = [...byKey.values()].filter((s) => new Set(s.steps).size > 1);
      for (const s of series) {
        const order = s.steps.map((_, i) => i).sort((a, b) => s.steps[a] - s.steps[b]);
        s.steps = order.map((i) => s.steps[i]);
        s.values = order.map((i) => s.values[i]);
      }
      return { measure, layer, series };
    },

    getModelMap: ({ experimentId, measure, layer, step }) => {
      const mm = modelMatrix(experimentId, measure, layer, step);
      const info = measureInfo(measure);
      const { runs, data } = load(experimentId);
      const ids = data.runIds.length ? data.runIds : runs.map((r) => r.id);
      // Similarities in [lo, 1] become dissimilarities 1 − s; distances are used as they are.
      const d = mm.values.map((row) =>
        row.map((v) => (v === null ? NaN : info && !info.higherIsSimilar ? v : 1 - v)),
      );
      const { points, explained } = classicalMds(d);
      return {
        measure,
        layer,
        points: points.map((p, i) => ({ runId: ids[i], label: mm.rowLabels[i], x: p[0], y: p[1] })),
        stress: explained,
      };
    },

    getGenerations: ({ experimentId }) => {
      const { runs } = load(experimentId);
      const byPrompt = new Map<string, Record<string, string>>();
      for (const r of runs) {
        const samples = store.samples.list(r.id);
        const last = samples.length ? Math.max(...samples.map((s) => s.step)) : -1;
        // The analysis step stores a greedy and a sampled continuation per prompt: show the
        // greedy one (deterministic, comparable across models) where both exist.
        for (const s of samples)
          if (s.step === last) {
            const row = byPrompt.get(s.prompt) ?? {};
            const greedy = (s.params as { mode?: string } | null)?.mode !== 'sample';
            if (greedy || !(String(r.id) in row)) row[String(r.id)] = s.output;
            byPrompt.set(s.prompt, row);
          }
      }
      return [...byPrompt.entries()].map(([prompt, outputs]) => ({ prompt, outputs }));
    },
  };
}
