/**
 * Architecture variants: same data, different architectures (width, depth, positional
 * encoding, norm placement), K seeds each, compared at matched validation loss near
 * convergence. Is "same data, different architecture" less alike than "same architecture,
 * different seed"?
 *
 * Only runs that passed their learn gate take part: a run that did not learn is unlike
 * everything (CKA near 0 to every other model) and would manufacture the gap. The matched-loss
 * target is set by the learned runs, and a gate checks that it is near every learned run's own
 * best loss (so no architecture is compared early in its training). Test: Mantel-style
 * permutation of architecture labels over the learned runs (statistic: within- minus
 * cross-architecture mean similarity); every pair is in one matrix, so relabelling models is
 * exact under the null that architecture does not matter.
 */
import type { ExperimentSpecInput } from '../spec/spec';
import {
  formatEstimate,
  matrixPermutationTest,
  meanPairs,
  pairwiseMean,
  withinMinusBetween,
  type SquareMatrix,
} from '../stats';
import { analyze } from './analyze';
import { copyReverse, GPU, learnGates, seeds } from './common';
import { failedGates, type Gate, type LearnCriterion } from './gates';
import { MATCHED_LAYERS, storeMatchedLossComparison, type MatchedLossResult } from './matched-loss';
import { metricPoints } from './read';
import { num, studyDocument } from './report';
import { createAndTrain, ensureAnalysisBackend, phase } from './train';
import type {
  ExpectedTime,
  StudyContext,
  StudyDefinition,
  StudyResult,
  StudyScale,
  Verdict,
} from './types';
import { ALPHA } from './verdicts';

const ID = 'architecture-variants';

interface Design {
  seeds: number;
  spec: Omit<ExperimentSpecInput, 'name' | 'notes' | 'axes' | 'analysis'> & {
    model: NonNullable<ExperimentSpecInput['model']>;
  };
  variants: { label: string; axis: string; set: Record<string, string | number> }[];
  probeSize: number;
  learn: LearnCriterion;
  /**
   * "Near convergence", in nats per token: the matched validation loss must be at or below it.
   * A ratio to each run's best loss cannot say this — on a task the models solve, the loss keeps
   * falling towards 0 with no plateau (medium: best losses 0.001–0.2 after 1,200 steps), so a
   * band around the lowest one fails for any mix of architectures. An absolute bound says what
   * is meant: at the compared checkpoints every model already predicts the answer tokens almost
   * surely (0.05 nats ≈ 95% probability on the right token).
   */
  convergedLoss: number;
  time: ExpectedTime;
}

function variantsFor(d: number, layers: number, which: string[]): Design['variants'] {
  const all: Design['variants'] = [
    { label: 'base', axis: 'base', set: {} },
    { label: `width ${2 * d}`, axis: 'width', set: { 'model.dModel': 2 * d, 'model.dFF': 8 * d } },
    { label: `depth ${2 * layers}`, axis: 'depth', set: { 'model.nLayers': 2 * layers } },
    { label: 'RoPE', axis: 'positional encoding', set: { 'model.positionalEncoding': 'rope' } },
    { label: 'post-norm', axis: 'norm placement', set: { 'model.normPlacement': 'post' } },
  ];
  return all.filter((v) => which.includes(v.axis));
}

export function architectureDesign(scale: StudyScale): Design {
  const t = (steps: number, batchSize: number, every: number, lr = 3e-3) => ({
    steps,
    batchSize,
    lr,
    // 10% warmup for every architecture: post-norm needs it (Xiong et al. 2020; with 5% at
    // medium, 6 of 8 post-norm seeds did not learn), and one schedule keeps the comparison fair.
    warmupSteps: Math.ceil(steps / 10),
    evalEvery: every,
    evalBatches: 4,
    checkpointEvery: every,
    // Every checkpoint is read (over training, matched loss): none may be pruned.
    keepCheckpointEvery: every,
  });
  switch (scale) {
    case 'test':
      return {
        seeds: 2,
        spec: {
          dataset: copyReverse(5, 2, 4, 256, 64),
          model: { dModel: 16, nHeads: 2, nLayers: 1, dFF: 64, contextLength: 12 },
          training: { ...t(16, 8, 8), evalBatches: 1 },
        },
        variants: variantsFor(16, 1, ['base', 'width', 'depth']),
        probeSize: 24,
        learn: { exactMatch: 0.9, minRuns: 2 },
        convergedLoss: 0.05,
        time: { cpu2: 1, laptop8: 0.5, gpu: 0.5, basis: 'test scale' },
      };
    case 'tiny':
      return {
        seeds: 2,
        spec: {
          dataset: copyReverse(6, 2, 6, 2000, 256),
          model: { dModel: 24, nHeads: 2, nLayers: 2, dFF: 96, contextLength: 16 },
          training: t(100, 16, 25),
        },
        variants: variantsFor(24, 2, ['base', 'width', 'positional encoding', 'norm placement']),
        probeSize: 64,
        learn: { exactMatch: 0.9, minRuns: 2 },
        convergedLoss: 0.05,
        time: { cpu2: 4, laptop8: 1.5, gpu: 1, basis: 'measured on 2 cores (wasm)' },
      };
    case 'medium':
      return {
        seeds: 8,
        spec: {
          // 2,400 steps on 20,000 strings: at 1,200 steps on 8,000 no architecture had converged
          // (validation loss still falling) and some seeds memorised instead of generalising.
          dataset: copyReverse(6, 2, 6, 20000, 256),
          model: { dModel: 32, nHeads: 4, nLayers: 2, dFF: 128, contextLength: 16 },
          training: t(2400, 32, 200),
        },
        variants: variantsFor(32, 2, ['base', 'width', 'positional encoding', 'norm placement']),
        probeSize: 128,
        learn: { exactMatch: 0.8, minRuns: 6 },
        convergedLoss: 0.05,
        time: {
          cpu2: 23,
          laptop8: 7,
          gpu: 12,
          basis: `2 cores: measured, 23 min (wasm, 2 workers, with the test suite running beside it); 8-core laptop: 8 workers, scaled by cores; ${GPU}`,
        },
      };
    case 'full':
      return {
        seeds: 8,
        spec: {
          dataset: copyReverse(20, 2, 30, 200000, 1000),
          model: { dModel: 256, nHeads: 8, nLayers: 4, dFF: 1024, contextLength: 64 },
          training: t(8000, 64, 250, 1e-3),
        },
        variants: variantsFor(256, 4, [
          'base',
          'width',
          'depth',
          'positional encoding',
          'norm placement',
        ]),
        probeSize: 256,
        learn: { exactMatch: 0.8, minRuns: 6 },
        convergedLoss: 0.05,
        time: { cpu2: 3000, laptop8: 800, gpu: 100, basis: 'scaled from medium by FLOPs' },
      };
  }
}

export function architectureSpec(scale: StudyScale): ExperimentSpecInput {
  const d = architectureDesign(scale);
  return {
    name: `Study: architecture variants (${scale})`,
    notes: `Created by \`homolab study ${ID} --scale ${scale}\`.`,
    ...d.spec,
    axes: { list: d.variants.map((v) => v.set), grid: { initSeed: seeds(d.seeds) } },
    analysis: { measures: [], probeSize: d.probeSize },
  };
}

export const architectureVariants: StudyDefinition = {
  id: ID,
  name: 'Architecture variants',
  question:
    'Trained on the same data to the same loss, are models of different architectures (width, depth, positional encoding, norm placement) less alike than models of one architecture with different seeds?',
  expected:
    'Same-architecture seed pairs are more similar than cross-architecture pairs, in representations (CKA) and outputs; Kornblith et al. (2019) find CKA still reveals correspondences across widths and depths, with wider models more alike.',
  references: [
    'Kornblith, Norouzi, Lee & Hinton, "Similarity of Neural Network Representations Revisited", ICML 2019',
    'Nguyen, Raghu & Kornblith, "Do Wide and Deep Networks Learn the Same Things?", ICLR 2021',
  ],
  describe(scale) {
    const d = architectureDesign(scale);
    return `Base pre-norm Transformer (d_model ${d.spec.model.dModel}, ${d.spec.model.nLayers} layers, learned positions) and variants ${d.variants
      .slice(1)
      .map((v) => v.label)
      .join(
        ', ',
      )}; ${d.seeds} init seeds each, on identical batches of copy/reverse strings for ${d.spec.training.steps} steps, checkpoints every ${d.spec.training.checkpointEvery}. Learn gate: held-out exact match ≥ ${d.learn.exactMatch} at the end, ≥ ${d.learn.minRuns} learned seeds per architecture. Compared at matched validation loss (each learned run's first checkpoint at or below the largest best loss of the learned runs; the target must be at most ${d.convergedLoss} nats per token, where every compared model predicts the answer almost surely) on ${d.probeSize} validation sequences.`;
  },
  trainingSpecs: (scale) => [architectureSpec(scale)],
  expectedTime: (scale) => architectureDesign(scale).time,
  async run(ctx: StudyContext): Promise<StudyResult> {
    const t0 = performance.now();
    const seed = ctx.statsSeed ?? 0;
    const d = architectureDesign(ctx.scale);
    const { experiment, runs, variants } = await createAndTrain(
      ctx,
      ID,
      architectureSpec(ctx.scale),
    );
    const expId = experiment.id;
    const ids = runs.map((r) => r.id);
    const a = await analyze(ctx, ID, expId, { measures: [], steps: 'final', heldOut: true });
    const final = a.steps[a.steps.length - 1];
    // Variant expansion order: list entry (architecture) × seeds, seed fastest.
    const archOf = variants.map((v) => Math.floor(v.index / d.seeds));
    const archLabel = archOf.map((x) => d.variants[x].label);
    const gate = learnGates(ctx, expId, ids, archLabel, final, d.learn);
    const learned = ids.filter((_, i) => gate.learned[i]);
    const learnedArch = archOf.filter((_, i) => gate.learned[i]);
    const gates: Gate[] = [...gate.runGates, ...gate.armGates];

    let stored: MatchedLossResult | null = null;
    let analysisId: number | null = null;
    if (learned.length >= 2) {
      phase(
        ctx,
        ID,
        'analyze',
        `comparing ${learned.length} learned runs at matched validation loss`,
      );
      // Forward passes in this process (the lab's workers trained the runs): its backend first.
      await ensureAnalysisBackend(ctx);
      const row = await storeMatchedLossComparison(ctx.store, expId, learned, d.probeSize);
      stored = ctx.store.analyses.require(row.id).result as unknown as MatchedLossResult;
      analysisId = row.id;
      const best = learned.map((id) =>
        Math.min(
          ...metricPoints(ctx.store, id, 'eval_loss')
            .map((p) => p.value)
            .filter(Number.isFinite),
        ),
      );
      gates.push({
        name: 'matched loss near convergence',
        passed: stored.target <= d.convergedLoss,
        detail: `target validation loss ${stored.target.toFixed(4)} (must be ≤ ${d.convergedLoss} nats/token); learned runs' best losses ${Math.min(...best).toFixed(4)}–${Math.max(...best).toFixed(4)}`,
      });
    } else
      gates.push({
        name: 'matched loss near convergence',
        passed: false,
        detail: `${learned.length} learned run(s): nothing to compare`,
      });

    phase(ctx, ID, 'report', 'building the report from the stored analysis');
    const measures: {
      key: string;
      name: string;
      m: SquareMatrix | null;
      higherIsCloser: boolean;
    }[] = [
      ...MATCHED_LAYERS.map((l) => ({
        key: `cka:${l}`,
        name: `linear CKA, ${l}`,
        m: stored?.cka[l] ?? null,
        higherIsCloser: true,
      })),
      {
        key: 'agreement',
        name: 'top-1 agreement',
        m: stored?.agreement ?? null,
        higherIsCloser: true,
      },
      { key: 'jsd', name: 'JSD (bits)', m: stored?.jsd ?? null, higherIsCloser: false },
      { key: 'kappa', name: 'error consistency κ', m: stored?.kappa ?? null, higherIsCloser: true },
    ];
    const summary = measures.map((x) => {
      if (!x.m) return { ...x, within: null, across: null, seedPairs: null, test: null };
      return {
        ...x,
        // Descriptive means of each pair class (pairs share models: the test is the inference).
        within: num(meanPairs(x.m, (i, j) => learnedArch[i] === learnedArch[j])),
        across: num(meanPairs(x.m, (i, j) => learnedArch[i] !== learnedArch[j])),
        seedPairs: pairwiseMean(x.m, groupsOf(learnedArch)),
        test: matrixPermutationTest(x.m, learnedArch, withinMinusBetween, { seed }),
      };
    });
    const verdicts: Verdict[] = summary
      .filter((s) => s.key === 'cka:head input' || s.key === 'agreement')
      .map((s) => {
        const expectation = `Same-architecture seed pairs are more alike than cross-architecture pairs (${s.name})`;
        // Runs that did not learn are left out; the verdicts rest on every architecture keeping
        // enough learned runs and on the matched loss being near convergence.
        const failed = failedGates(gates.filter((g) => g.runId === undefined));
        const figures = s.test
          ? `same architecture ${s.within?.toFixed(3)} (seed pairs ${s.seedPairs ? formatEstimate(s.seedPairs) : 'n/a'}) vs different architectures ${s.across?.toFixed(3)}; difference ${s.test.observed.toFixed(3)}, permutation p = ${s.test.pValue.toFixed(4)} (${s.test.method}, ${s.test.permutations} relabellings of architecture labels over ${learned.length} learned runs).`
          : null;
        if (!s.test || failed)
          return {
            expectation,
            status: 'inconclusive',
            // The figures stay visible, marked as what they are when a gate failed.
            evidence:
              (failed ?? 'no learned runs to compare') +
              (figures ? `. Descriptive only (not a verdict): ${figures}` : ''),
          } as Verdict;
        const evidence = figures!;
        const status =
          s.test.pValue < ALPHA
            ? s.test.observed > 0
              ? 'reproduced'
              : 'not-reproduced'
            : 'inconclusive';
        return { expectation, status, evidence } as Verdict;
      });
    const headline: Record<string, number | string | null> = {
      targetLoss: stored?.target ?? null,
      learnedRuns: learned.length,
      runs: ids.length,
    };
    for (const s of summary) {
      headline[`${s.key} within`] = s.within;
      headline[`${s.key} across`] = s.across;
      headline[`${s.key} p`] = s.test?.pValue ?? null;
    }
    const data = {
      experimentId: expId,
      runIds: ids,
      architectures: archLabel,
      learnedRunIds: learned,
      heldOut: gate.scores,
      matched: stored,
      analysisId,
      summary: summary.map((s) => ({
        key: s.key,
        name: s.name,
        within: s.within,
        across: s.across,
        permutation: s.test,
      })),
      headline,
    };
    const document = studyDocument(
      architectureVariants,
      ctx,
      verdicts,
      gates,
      [
        {
          heading: 'Same architecture vs different architecture (learned runs, matched loss)',
          blocks: [
            {
              kind: 'table',
              columns: [
                'measure',
                'same architecture (seed pairs)',
                'different architectures',
                'difference',
                'p (permutation)',
                'closer when',
              ],
              rows: summary.map((s) => [
                s.name,
                s.within,
                s.across,
                s.test ? num(s.test.observed) : null,
                s.test?.pValue ?? null,
                s.higherIsCloser ? 'higher' : 'lower',
              ]),
            },
            ...(stored
              ? [
                  {
                    kind: 'heatmap' as const,
                    title: 'Linear CKA at the head input between learned runs (matched loss)',
                    rowLabels: learned.map(
                      (id, i) => `${d.variants[learnedArch[i]].label} (run-${id})`,
                    ),
                    colLabels: learned.map(
                      (id, i) => `${d.variants[learnedArch[i]].label} (run-${id})`,
                    ),
                    values: stored.cka['head input'],
                    domain: [0, 1] as [number, number],
                  },
                ]
              : []),
          ],
        },
      ],
      data,
      [expId],
    );
    return {
      study: ID,
      scale: ctx.scale,
      experimentIds: [expId],
      runIds: ids,
      verdicts,
      gates,
      headline,
      document,
      ms: performance.now() - t0,
    };
  },
};

/** Index groups of equal labels (e.g. the seeds of each architecture). */
function groupsOf(labels: readonly number[]): number[][] {
  const m = new Map<number, number[]>();
  labels.forEach((l, i) => m.set(l, [...(m.get(l) ?? []), i]));
  return [...m.values()];
}
