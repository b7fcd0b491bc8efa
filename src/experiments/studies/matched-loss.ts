/**
 * Comparing runs at *matched loss* rather than at equal steps: each run contributes the
 * checkpoint at which it first reaches a common validation loss, and runs of different
 * architectures are compared there. The analysis step (run-analysis.ts) compares runs at one
 * step, so this adapter builds on its public pieces (probe, stacked forward pass, pairwise
 * tables) to compare arbitrary (run, step) selections, and stores the result as an analysis
 * of kind `study-matched-loss`.
 *
 * Layers are matched by role, since depths differ: `embed` (embedding output) and `head input`
 * (what the output head reads: `final_norm` for pre-norm models, the last block's output for
 * post-norm ones, which already ends in a norm — a pre-norm model's raw residual stream has
 * large outlier dimensions that linear CKA would weigh against a normalised one); outputs by
 * top-1 agreement, JSD and κ.
 */
import type { Store } from '../../../db/store';
import type { AnalysisRow, Json } from '../../../db/types';
import { buildDataset } from '../../core/data';
import { checkpointWeights } from '../../core/similarity/model';
import { probeActivations, type ModelActivations } from '../analysis/activations';
import { outputTables, RepresentationTables } from '../analysis/pairwise';
import { probeFromDataset } from '../analysis/probe';
import { storedVariant } from '../spec/create';
import type { ExperimentSpec } from '../spec/spec';
import { modelConfigOf } from '../spec/model-config';
import { metricPoints } from './read';

export const MATCHED_LOSS_KIND = 'study-matched-loss';
export const MATCHED_LAYERS = ['embed', 'head input'] as const;

export interface Selection {
  runId: number;
  step: number;
  evalLoss: number;
}

/**
 * The matched-loss selection: target = the largest best validation loss among the runs that
 * learned (best loss at least `minImprovement` below their first logged validation loss; a run
 * that never learns would otherwise drag every comparison to near-initial loss); each run's
 * earliest checkpoint whose validation loss is at most the target (its best checkpoint if none,
 * which is where the runs that did not learn are compared).
 */
export function matchLoss(
  store: Pick<Store, 'metrics' | 'checkpoints'>,
  runIds: readonly number[],
  opts: { minImprovement?: number } = {},
): { target: number; selections: Selection[]; notLearned: number[] } {
  const curves = runIds.map((id) => {
    const cps = new Set(store.checkpoints.list(id).map((c) => c.step));
    return metricPoints(store, id, 'eval_loss').filter(
      (p) => cps.has(p.step) && Number.isFinite(p.value),
    );
  });
  curves.forEach((c, i) => {
    if (!c.length) throw new Error(`run ${runIds[i]} has no validation loss at a checkpoint`);
  });
  const best = curves.map((c) => Math.min(...c.map((p) => p.value)));
  const firstLoss = runIds.map((id, i) => {
    const all = metricPoints(store, id, 'eval_loss').filter((p) => Number.isFinite(p.value));
    return all[0]?.value ?? curves[i][0].value;
  });
  const keep = 1 - (opts.minImprovement ?? 0.1);
  const learned = best.map((b, i) => b <= keep * firstLoss[i]);
  const notLearned = runIds.filter((_, i) => !learned[i]);
  const pool = learned.some(Boolean) ? best.filter((_, i) => learned[i]) : best;
  const target = Math.max(...pool);
  const selections = curves.map((c, i) => {
    const hit =
      c.find((p) => p.value <= target + 1e-9) ?? c.reduce((a, b) => (b.value < a.value ? b : a));
    return { runId: runIds[i], step: hit.step, evalLoss: hit.value };
  });
  return { target, selections, notLearned };
}

export interface MatchedLossResult {
  target: number;
  selections: Selection[];
  /** Runs that did not learn (compared at their best checkpoint, left out of the target). */
  notLearned: number[];
  layers: string[];
  /** Layer → model × model linear CKA. */
  cka: Record<string, (number | null)[][]>;
  agreement: (number | null)[][];
  jsd: (number | null)[][];
  kappa: (number | null)[][];
  probe: { hash: string; sequences: number; repTokens: number; scoredTokens: number };
}

/** Computes the matched-loss comparison of `runIds` and stores it; returns the stored row. */
export async function storeMatchedLossComparison(
  store: Store,
  experimentId: number,
  runIds: readonly number[],
  probeSize: number,
): Promise<AnalysisRow> {
  const { target, selections, notLearned } = matchLoss(store, runIds);
  const experiment = store.experiments.require(experimentId);
  const spec = experiment.spec as unknown as ExperimentSpec;
  const dataset = await buildDataset(spec.dataset);
  const runs = runIds.map((id) => store.runs.require(id));
  const configs = runs.map((r) => modelConfigOf(storedVariant(r).model, dataset.vocabSize));
  const T = Math.min(...configs.map((c) => c.contextLength));
  const probe = probeFromDataset(dataset, { probeSize, contextLength: T });
  const acts: ModelActivations[] = [];
  for (let i = 0; i < runs.length; i++) {
    const cp = store.checkpoints.atStep(runIds[i], selections[i].step);
    if (!cp) throw new Error(`run ${runIds[i]} has no checkpoint at step ${selections[i].step}`);
    const [a] = await probeActivations(configs[i], [checkpointWeights(cp.weights)], probe);
    const head = a.layers.get('final_norm') ?? a.layers.get(`blocks.${configs[i].nLayers - 1}`)!;
    acts.push({
      layers: new Map([
        ['embed', a.layers.get('embed')!],
        ['head input', head],
      ]),
      logits: a.logits,
    });
  }
  const tables = new RepresentationTables(acts, {});
  const cka: Record<string, (number | null)[][]> = {};
  for (const l of MATCHED_LAYERS) cka[l] = tables.modelMatrix('linear-cka', l).matrix;
  const targets = Int32Array.from(probe.scoredPositions, (p) => probe.batch.targets[p]);
  const out = outputTables(
    acts.map((a) => a.logits),
    targets,
    ['top1-agreement', 'jsd', 'error-consistency'],
  );
  const result: MatchedLossResult = {
    target,
    selections,
    notLearned,
    layers: [...MATCHED_LAYERS],
    cka,
    agreement: out['top1-agreement']!.matrix,
    jsd: out.jsd!.matrix,
    kappa: out['error-consistency']!.matrix,
    probe: {
      hash: probe.hash,
      sequences: probe.batch.batchSize,
      repTokens: probe.repPositions.length,
      scoredTokens: probe.scoredPositions.length,
    },
  };
  return store.analyses.create({
    experimentId,
    kind: MATCHED_LOSS_KIND,
    runIds: [...runIds],
    step: null,
    layers: [...MATCHED_LAYERS],
    params: { view: 'matched-loss', probe: probe.hash, probeSize, targetLoss: target },
    result: JSON.parse(JSON.stringify(result)) as Json,
  });
}
