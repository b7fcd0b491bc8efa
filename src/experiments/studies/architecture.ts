/**
 * Architecture variants: same data, different architectures (width, depth, positional
 * encoding, norm placement), two or more seeds each, compared at matched validation loss. Is
 * "same data, different architecture" less alike than "same architecture, different seed"?
 *
 * Pairs of models fall in two classes: same architecture (different seeds) and different
 * architectures. The study reports both classes' mean similarity with bootstrap intervals over
 * models, a Mantel-style permutation test of the architecture labels (statistic: within-
 * architecture minus cross-architecture mean), and the per-axis breakdown (each variant vs the
 * base architecture).
 */
import type { DatasetSpecInput } from '../../core/data/spec';
import type { ExperimentSpecInput } from '../spec/spec';
import { MATCHED_LAYERS, storeMatchedLossComparison, type MatchedLossResult } from './matched-loss';
import { metricPoints } from './read';
import { fmtP, intervalJson, intervalText, num, studyDocument } from './report';
import {
  bootstrapCI,
  matrixPermutationTest,
  meanPairs,
  withinMinusBetween,
  type SquareMatrix,
} from './stats';
import { createAndTrain, ensureAnalysisBackend, phase } from './train';
import type { StudyContext, StudyDefinition, StudyResult, StudyScale, Verdict } from './types';

const ID = 'architecture-variants';

interface Design {
  seeds: number;
  dataset: DatasetSpecInput;
  model: NonNullable<ExperimentSpecInput['model']>;
  training: ExperimentSpecInput['training'];
  variants: { label: string; axis: string; set: Record<string, string | number> }[];
  probeSize: number;
}

function variantsFor(d: number, layers: number, full: boolean): Design['variants'] {
  const v: Design['variants'] = [
    { label: 'base', axis: 'base', set: {} },
    { label: `width ${2 * d}`, axis: 'width', set: { 'model.dModel': 2 * d, 'model.dFF': 8 * d } },
    { label: `depth ${2 * layers}`, axis: 'depth', set: { 'model.nLayers': 2 * layers } },
    { label: 'RoPE', axis: 'positional encoding', set: { 'model.positionalEncoding': 'rope' } },
    { label: 'post-norm', axis: 'norm placement', set: { 'model.normPlacement': 'post' } },
  ];
  if (full) {
    v.push({
      label: `width ${d / 2}`,
      axis: 'width',
      set: { 'model.dModel': d / 2, 'model.dFF': 2 * d },
    });
    v.push({
      label: 'sinusoidal',
      axis: 'positional encoding',
      set: { 'model.positionalEncoding': 'sinusoidal' },
    });
  }
  return v;
}

export function architectureDesign(scale: StudyScale): Design {
  const data = (alphabetSize: number, maxLength: number, numTrain: number, numValidation = 512) =>
    ({
      kind: 'copy-reverse',
      mode: 'mixed',
      alphabetSize,
      minLength: 2,
      maxLength,
      numTrain,
      numValidation,
      seed: 0,
    }) as DatasetSpecInput;
  switch (scale) {
    case 'test':
      return {
        seeds: 2,
        dataset: data(5, 4, 256, 64),
        model: { dModel: 16, nHeads: 2, nLayers: 1, dFF: 64, contextLength: 12 },
        training: {
          steps: 16,
          batchSize: 8,
          lr: 3e-3,
          warmupSteps: 2,
          evalEvery: 8,
          evalBatches: 1,
          checkpointEvery: 8,
        },
        variants: variantsFor(16, 1, false).slice(0, 3),
        probeSize: 24,
      };
    case 'tiny':
      return {
        seeds: 2,
        dataset: data(6, 8, 4000),
        model: { dModel: 32, nHeads: 4, nLayers: 2, dFF: 128, contextLength: 24 },
        training: {
          steps: 250,
          batchSize: 16,
          lr: 3e-3,
          warmupSteps: 20,
          evalEvery: 25,
          evalBatches: 4,
          checkpointEvery: 25,
        },
        variants: variantsFor(32, 2, false),
        probeSize: 96,
      };
    case 'small':
      return {
        seeds: 3,
        dataset: data(8, 10, 20000),
        model: { dModel: 48, nHeads: 4, nLayers: 2, dFF: 192, contextLength: 24 },
        training: {
          steps: 500,
          batchSize: 16,
          lr: 3e-3,
          warmupSteps: 25,
          evalEvery: 50,
          evalBatches: 4,
          checkpointEvery: 50,
        },
        variants: variantsFor(48, 2, false),
        probeSize: 128,
      };
    case 'full':
      return {
        seeds: 4,
        dataset: data(20, 30, 200000, 1000),
        model: { dModel: 256, nHeads: 8, nLayers: 4, dFF: 1024, contextLength: 64 },
        training: {
          steps: 8000,
          batchSize: 64,
          lr: 1e-3,
          warmupSteps: 400,
          evalEvery: 250,
          evalBatches: 8,
          checkpointEvery: 250,
        },
        variants: variantsFor(256, 4, true),
        probeSize: 256,
      };
  }
}

export function architectureSpec(scale: StudyScale): ExperimentSpecInput {
  const d = architectureDesign(scale);
  return {
    name: `Study: architecture variants (${scale})`,
    notes: `Created by \`homolab study ${ID} --scale ${scale}\`.`,
    dataset: d.dataset,
    model: d.model,
    training: d.training,
    axes: {
      list: d.variants.map((v) => v.set),
      grid: { initSeed: Array.from({ length: d.seeds }, (_, i) => i) },
    },
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
    return `Base pre-norm Transformer (d_model ${d.model.dModel}, ${d.model.nLayers} layers, learned positions) and variants ${d.variants
      .slice(1)
      .map((v) => v.label)
      .join(
        ', ',
      )}; ${d.seeds} init seeds each, all on identical batches of copy/reverse strings for ${d.training.steps} steps, checkpoints every ${d.training.checkpointEvery} steps. Comparison at matched validation loss (each run's first checkpoint at or below the loss every run reaches) on ${d.probeSize} validation sequences.`;
  },
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
    const total = d.training.steps ?? 0;
    await ensureAnalysisBackend(ctx);
    phase(ctx, ID, 'analyze', 'comparing every run at matched validation loss');
    const row = await storeMatchedLossComparison(ctx.store, expId, ids, d.probeSize);

    phase(ctx, ID, 'report', 'building the report from the stored analysis');
    const stored = ctx.store.analyses.require(row.id).result as unknown as MatchedLossResult;
    // Variant expansion order: list entry (architecture) × seeds, seed fastest.
    const archOf = variants.map((v) => Math.floor(v.index / d.seeds));
    const archLabel = archOf.map((a) => d.variants[a].label);
    const measures: { key: string; name: string; m: SquareMatrix; higherIsCloser: boolean }[] = [
      ...MATCHED_LAYERS.map((l) => ({
        key: `cka:${l}`,
        name: `linear CKA, ${l}`,
        m: stored.cka[l],
        higherIsCloser: true,
      })),
      { key: 'agreement', name: 'top-1 agreement', m: stored.agreement, higherIsCloser: true },
      { key: 'jsd', name: 'JSD (bits)', m: stored.jsd, higherIsCloser: false },
      { key: 'kappa', name: 'error consistency κ', m: stored.kappa, higherIsCloser: true },
    ];
    const pairValues = (m: SquareMatrix, keep: (i: number, j: number) => boolean) => {
      const out: number[] = [];
      for (let i = 0; i < m.length; i++)
        for (let j = i + 1; j < m.length; j++) {
          const v = m[i][j];
          if (keep(i, j) && v !== null && Number.isFinite(v)) out.push(v);
        }
      return out;
    };
    const summary = measures.map((x) => {
      const within = pairValues(x.m, (i, j) => archOf[i] === archOf[j]);
      const across = pairValues(x.m, (i, j) => archOf[i] !== archOf[j]);
      const test = matrixPermutationTest(x.m, archOf, withinMinusBetween, { seed });
      return {
        key: x.key,
        name: x.name,
        higherIsCloser: x.higherIsCloser,
        // Pairs are not independent: these intervals resample pairs and are descriptive; the
        // permutation test is the inference.
        within: bootstrapCI(within, { seed }),
        across: bootstrapCI(across, { seed }),
        test,
      };
    });
    // Per axis: each variant's cross-architecture similarity to the base vs the base's seed pairs.
    const base = 0;
    const perVariant = d.variants.map((v, a) => ({
      label: v.label,
      axis: v.axis,
      cka: num(
        meanPairs(
          stored.cka['head input'],
          (i, j) =>
            (archOf[i] === base && archOf[j] === a) || (archOf[j] === base && archOf[i] === a),
        ),
      ),
      agreement: num(
        meanPairs(
          stored.agreement,
          (i, j) =>
            (archOf[i] === base && archOf[j] === a) || (archOf[j] === base && archOf[i] === a),
        ),
      ),
      seedCka: num(
        meanPairs(stored.cka['head input'], (i, j) => archOf[i] === a && archOf[j] === a),
      ),
      evalLoss: num(
        mean(stored.selections.filter((_, i) => archOf[i] === a).map((s) => s.evalLoss)),
      ),
      step: stored.selections
        .filter((_, i) => archOf[i] === a)
        .map((s) => s.step)
        .join(', '),
      finalEvalLoss: num(
        mean(
          ids
            .filter((_, i) => archOf[i] === a)
            .map((id) => metricPoints(ctx.store, id, 'eval_loss').at(-1)?.value ?? NaN),
        ),
      ),
    }));
    // The slowest-learning architecture sets the target; say which, and how early the others
    // are compared, since that shapes every number below.
    const bestOf = ids.map((id) =>
      Math.min(
        ...metricPoints(ctx.store, id, 'eval_loss')
          .map((p) => p.value)
          .filter(Number.isFinite),
      ),
    );
    const notLearned = new Set(stored.notLearned);
    const binding = [
      ...new Set(
        ids
          .map((_, i) => i)
          .filter((i) => !notLearned.has(ids[i]) && bestOf[i] >= stored.target - 1e-9)
          .map((i) => archLabel[i]),
      ),
    ];
    const failed = [
      ...new Set(ids.map((id, i) => (notLearned.has(id) ? archLabel[i] : null))),
    ].filter((x): x is string => x !== null);
    const earliest = Math.min(
      ...stored.selections.filter((x) => !notLearned.has(x.runId)).map((x) => x.step),
    );
    const bindingNote =
      `The target is set by ${binding.join(', ')} (the highest best validation loss among runs that learned); other runs are matched as early as step ${earliest} of ${total}. If that is early in training, this comparison describes partly trained models.` +
      (failed.length
        ? ` Did not learn (best validation loss not 10% below its first): ${failed.join(', ')} — left out of the target and compared at its best checkpoint; its similarity to the others is that of an untrained model.`
        : '');
    const verdicts: Verdict[] = summary
      .filter((s) => s.key === 'cka:head input' || s.key === 'agreement')
      .map((s) => {
        const expectation = `Same-architecture seed pairs are more alike than cross-architecture pairs (${s.name})`;
        const evidence = `same architecture ${intervalText(s.within)} vs different architectures ${intervalText(s.across)}; difference ${s.test.observed.toFixed(3)}, permutation p ${fmtP(s.test.pValue)} (${s.test.method}, ${s.test.permutations} relabellings of architecture labels).`;
        const status =
          s.test.observed > 0 && s.test.pValue < 0.05
            ? 'reproduced'
            : s.test.observed < 0 && s.test.pValue < 0.05
              ? 'not-reproduced'
              : 'inconclusive';
        return { expectation, status, evidence } as Verdict;
      });
    const headline: Record<string, number | string | null> = {
      targetLoss: stored.target,
    };
    for (const s of summary) {
      headline[`${s.key} within`] = num(s.within.estimate);
      headline[`${s.key} across`] = num(s.across.estimate);
      headline[`${s.key} p`] = s.test.pValue;
    }
    const labels = ids.map((id, i) => `${archLabel[i]} s${runs[i].initSeed} (run-${id})`);
    const data = {
      experimentId: expId,
      runIds: ids,
      architectures: archLabel,
      bindingArchitectures: binding,
      notLearnedArchitectures: failed,
      earliestMatchedStep: earliest,
      matched: stored,
      analysisId: row.id,
      summary: summary.map((s) => ({
        key: s.key,
        name: s.name,
        within: intervalJson(s.within),
        across: intervalJson(s.across),
        permutation: s.test,
      })),
      perVariant,
      headline,
    };
    const document = studyDocument(
      architectureVariants,
      ctx,
      verdicts,
      [
        {
          heading: 'Same architecture vs different architecture (matched loss)',
          blocks: [
            { kind: 'text', text: bindingNote },
            {
              kind: 'text',
              text: `Target validation loss ${stored.target.toFixed(4)}: the largest of the runs' best validation losses. Each run is compared at its first checkpoint at or below it. Intervals resample pairs (descriptive; pairs share models); the permutation test of architecture labels is the inference.`,
            },
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
                intervalText(s.within),
                intervalText(s.across),
                num(s.test.observed),
                s.test.pValue,
                s.higherIsCloser ? 'higher' : 'lower',
              ]),
            },
            {
              kind: 'bar-chart',
              title: 'Linear CKA at the head input: seed pairs vs architecture pairs',
              yLabel: 'linear CKA',
              yDomain: [0, 1],
              bars: summary
                .filter((s) => s.key.startsWith('cka:'))
                .flatMap((s) => [
                  {
                    label: `${s.key.slice(4)}: same`,
                    value: num(s.within.estimate),
                    lo: num(s.within.lower),
                    hi: num(s.within.upper),
                  },
                  {
                    label: `${s.key.slice(4)}: different`,
                    value: num(s.across.estimate),
                    lo: num(s.across.lower),
                    hi: num(s.across.upper),
                  },
                ]),
            },
            {
              kind: 'heatmap',
              title: 'Linear CKA at the head input, every pair (matched loss)',
              rowLabels: labels,
              colLabels: labels,
              values: stored.cka['head input'],
              domain: [0, 1],
            },
          ],
        },
        {
          heading: 'Per variant (vs the base architecture)',
          blocks: [
            {
              kind: 'table',
              columns: [
                'variant',
                'axis',
                'CKA to base (head input)',
                'top-1 agreement to base',
                'CKA between its own seeds',
                'eval loss at match',
                'matched steps',
                'final eval loss',
              ],
              rows: perVariant.map((p) => [
                p.label,
                p.axis,
                p.cka,
                p.agreement,
                p.seedCka,
                p.evalLoss,
                p.step,
                p.finalEvalLoss,
              ]),
            },
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
      headline,
      document,
      ms: performance.now() - t0,
    };
  },
};

function mean(xs: number[]): number {
  const f = xs.filter(Number.isFinite);
  return f.length ? f.reduce((s, v) => s + v, 0) / f.length : NaN;
}
