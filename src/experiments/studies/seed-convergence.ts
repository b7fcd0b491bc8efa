/**
 * Seed convergence: K weight-init seeds of one architecture trained on identical batches. Do
 * independently initialised models learn the same representations — beyond what they share
 * at initialisation? Everything is read against the step-0 baseline (the same models before
 * their first update) and only over runs that passed their learn gate.
 *
 * Expected (Kornblith et al. 2019): cross-seed CKA is high near the input and falls with depth;
 * CKA identifies the corresponding layer of another seed above chance. After permutation
 * alignment, the loss barrier between seeds is lower than without (Ainsworth et al. 2023).
 */
import { measureEntry, type MeasureId } from '../../core/similarity/catalogue';
import type { ExperimentSpecInput } from '../spec/spec';
import {
  differenceRange,
  matrixDifference,
  pairwiseMean,
  subMatrix,
  type PairwiseEstimate,
  type SquareMatrix,
} from '../stats';
import { analyze } from './analyze';
import { copyReverse, GPU, learnGates, learnedOf, seeds } from './common';
import type { LearnCriterion } from './gates';
import { alignedWeights, layerMatrices, modelMatrix, storedLayers } from './read';
import { bar, ci, num, studyDocument } from './report';
import { createAndTrain, phase } from './train';
import type {
  ExpectedTime,
  StudyContext,
  StudyDefinition,
  StudyResult,
  StudyScale,
  Verdict,
} from './types';
import { aboveVerdict } from './verdicts';

const ID = 'seed-convergence';
const ARM = 'seeds';

interface Design {
  seeds: number;
  spec: Omit<ExperimentSpecInput, 'name' | 'notes' | 'axes' | 'analysis'>;
  probeSize: number;
  learn: LearnCriterion;
  time: ExpectedTime;
}

export function seedConvergenceDesign(scale: StudyScale): Design {
  const t = (steps: number, batchSize: number, every: number, lr = 3e-3) => ({
    steps,
    batchSize,
    lr,
    warmupSteps: Math.ceil(steps / 20),
    evalEvery: every,
    evalBatches: 4,
    checkpointEvery: every,
    // Every checkpoint is read (over training, matched loss): none may be pruned.
    keepCheckpointEvery: every,
    checkpointAtStart: true,
  });
  switch (scale) {
    case 'test':
      return {
        seeds: 3,
        spec: {
          dataset: copyReverse(5, 2, 4, 256, 64),
          model: { dModel: 16, nHeads: 2, nLayers: 2, dFF: 32, contextLength: 12 },
          training: { ...t(20, 8, 10), evalBatches: 1 },
        },
        probeSize: 24,
        learn: { exactMatch: 0.9, minRuns: 3 },
        time: { cpu2: 1, laptop8: 0.5, gpu: 0.5, basis: 'test scale' },
      };
    case 'tiny':
      return {
        seeds: 3,
        spec: {
          dataset: copyReverse(6, 2, 6, 2000, 256),
          model: { dModel: 24, nHeads: 2, nLayers: 3, dFF: 96, contextLength: 16 },
          training: t(120, 16, 40),
        },
        probeSize: 64,
        learn: { exactMatch: 0.9, minRuns: 3 },
        time: { cpu2: 3, laptop8: 1, gpu: 1, basis: 'measured on 2 cores (wasm)' },
      };
    case 'medium':
      return {
        seeds: 8,
        spec: {
          dataset: copyReverse(8, 2, 8, 8000, 256),
          model: { dModel: 48, nHeads: 4, nLayers: 3, dFF: 192, contextLength: 20 },
          training: t(1500, 32, 250),
        },
        probeSize: 128,
        learn: { exactMatch: 0.8, minRuns: 6 },
        time: {
          cpu2: 8,
          laptop8: 3,
          gpu: 15,
          basis: `2 cores: measured, 7.6 min (wasm, 2 workers, with the test suite running beside it); 8-core laptop: 8 workers, scaled by cores; ${GPU}`,
        },
      };
    case 'full':
      return {
        seeds: 16,
        spec: {
          dataset: copyReverse(20, 3, 30, 200000, 1000),
          model: { dModel: 256, nHeads: 8, nLayers: 6, dFF: 1024, contextLength: 64 },
          training: t(10000, 64, 1000, 1e-3),
        },
        probeSize: 256,
        learn: { exactMatch: 0.9, minRuns: 12 },
        time: { cpu2: 2400, laptop8: 600, gpu: 90, basis: 'scaled from medium by FLOPs' },
      };
  }
}

export function seedConvergenceSpec(scale: StudyScale): ExperimentSpecInput {
  const d = seedConvergenceDesign(scale);
  return {
    name: `Study: seed convergence (${scale})`,
    notes: `Created by \`homolab study ${ID} --scale ${scale}\`.`,
    ...d.spec,
    axes: { grid: { initSeed: seeds(d.seeds) } },
    analysis: { measures: [], checkpoints: 'all', probeSize: d.probeSize },
  };
}

/**
 * Kornblith et al.'s layer identification for one model pair over the layers `keep`: the share
 * of those layers whose most similar layer (among `keep`) in the other model is their
 * counterpart, both directions pooled. Its chance level under a random relabelling of the
 * other model's layers is exactly 1 / |keep|.
 */
export function layerIdentification(
  m: readonly (readonly (number | null)[])[],
  keep: readonly number[] = m.map((_, i) => i),
): number {
  const argmax = (vals: (number | null | undefined)[]) => {
    let best = -1;
    let bv = -Infinity;
    vals.forEach((v, i) => {
      if (v !== null && v !== undefined && v > bv) {
        bv = v;
        best = i;
      }
    });
    return best;
  };
  let ok = 0;
  keep.forEach((r, i) => {
    if (argmax(keep.map((c) => m[r]?.[c])) === i) ok++;
    if (argmax(keep.map((c) => m[c]?.[r])) === i) ok++;
  });
  return keep.length ? ok / (2 * keep.length) : NaN;
}

const isBlock = (l: string) => /^blocks\.\d+$/.test(l);

type Range = readonly [number, number] | null;
const rangeOf = (id: MeasureId): Range => measureEntry(id).range;
const CKA_RANGE = rangeOf('linear-cka');

export const seedConvergence: StudyDefinition = {
  id: ID,
  name: 'Seed convergence',
  question:
    'Do models of one architecture, trained on identical batches from different random initialisations, converge to the same internal representations and outputs — beyond what they already share at initialisation — and at which depth?',
  expected:
    'Training raises cross-seed similarity above its step-0 baseline; cross-seed linear CKA is higher near the input than deep in the network and identifies corresponding layers above chance (Kornblith et al. 2019); after permutation alignment the loss barrier between seeds is lower than without (Ainsworth, Hayase & Srinivasa 2023).',
  references: [
    'Kornblith, Norouzi, Lee & Hinton, "Similarity of Neural Network Representations Revisited", ICML 2019',
    'Ainsworth, Hayase & Srinivasa, "Git Re-Basin: Merging Models modulo Permutation Symmetries", ICLR 2023',
  ],
  describe(scale) {
    const d = seedConvergenceDesign(scale);
    const m = d.spec.model!;
    const t = d.spec.training;
    return `${d.seeds} init seeds of one pre-norm Transformer (d_model ${m.dModel}, ${m.nLayers} layers, context ${m.contextLength}) trained in lockstep for ${t.steps} steps (batch ${t.batchSize}) on copy/reverse strings; checkpoints at step 0 and every ${t.checkpointEvery} steps. Learn gate: held-out exact match ≥ ${d.learn.exactMatch} at the final step, at least ${d.learn.minRuns} learned seeds. Linear CKA per layer and layer × layer, top-1 agreement, JSD and held-out scores on ${d.probeSize} validation sequences at every checkpoint; aligned weights (2-D matrices) and loss barriers at step 0 and at the end.`;
  },
  trainingSpecs: (scale) => [seedConvergenceSpec(scale)],
  expectedTime: (scale) => seedConvergenceDesign(scale).time,
  async run(ctx: StudyContext): Promise<StudyResult> {
    const t0 = performance.now();
    const d = seedConvergenceDesign(ctx.scale);
    const { experiment, runs } = await createAndTrain(ctx, ID, seedConvergenceSpec(ctx.scale));
    const expId = experiment.id;
    const ids = runs.map((r) => r.id);
    const a = await analyze(ctx, ID, expId, {
      measures: ['linear-cka', 'top1-agreement', 'jsd'],
      steps: 'all',
      layerMeasures: ['linear-cka'],
      heldOut: true,
    });
    const steps = a.steps;
    const final = steps[steps.length - 1];
    await analyze(ctx, ID, expId, { measures: ['aligned-weights'], steps: [0, final] });
    phase(ctx, ID, 'report', 'building the report from the stored analyses');

    const arms = ids.map(() => ARM);
    const gate = learnGates(ctx, expId, ids, arms, final, d.learn);
    const gates = [...gate.runGates, ...gate.armGates];
    // Runs that did not learn are left out; the verdicts rest on the arm keeping enough.
    const restOn = gate.armGates;
    const keep = learnedOf(gate, arms, ARM);
    const keptIds = keep.map((i) => ids[i]);
    // Intervals cut to the measure's range, as `homolab compare` cuts them (one interval for
    // one quantity in a report and a comparison).
    const est = (m: SquareMatrix, range: Range = null): PairwiseEstimate =>
      pairwiseMean(subMatrix(m, keep), undefined, { range });
    const cka = (step: number, layer: string) =>
      modelMatrix(ctx.store, expId, 'linear-cka', step, ids, layer);

    const layers = storedLayers(ctx.store, expId, 'linear-cka', final, ids);
    const blocks = layers.filter(isBlock);
    const head = layers.includes('final_norm') ? 'final_norm' : layers[layers.length - 1];
    const perLayer = layers.map((layer) => {
      const fin = cka(final, layer);
      const init = cka(0, layer);
      return {
        layer,
        final: est(fin, CKA_RANGE),
        init: est(init, CKA_RANGE),
        change: est(matrixDifference(fin, init), differenceRange(CKA_RANGE)),
      };
    });
    const headRow = perLayer.find((p) => p.layer === head)!;
    const depth =
      blocks.length >= 2
        ? est(
            matrixDifference(cka(final, blocks[0]), cka(final, blocks[blocks.length - 1])),
            differenceRange(CKA_RANGE),
          )
        : null;

    // Layer identification over the blocks only (the embedding and the final norm are
    // trivially told apart from blocks), at the final step and at init.
    const identMatrix = (step: number): (number | null)[][] => {
      const out: (number | null)[][] = ids.map(() => ids.map(() => null));
      const pos = new Map(ids.map((id, i) => [id, i]));
      for (const row of layerMatrices(ctx.store, expId, 'linear-cka', step, ids)) {
        const keepIdx = row.layersA.map((l, i) => (isBlock(l) ? i : -1)).filter((i) => i >= 0);
        const v = layerIdentification(row.matrix, keepIdx);
        const [i, j] = row.runIds.map((id) => pos.get(id)!);
        out[i][j] = out[j][i] = v;
      }
      return out;
    };
    const identFinal = est(identMatrix(final), [0, 1]);
    const identInit = est(identMatrix(0), [0, 1]);
    const chance = blocks.length ? 1 / blocks.length : NaN;

    const out = (kind: string, step: number) =>
      modelMatrix(ctx.store, expId, kind, step, ids, 'output');
    const agreement = {
      final: est(out('top1-agreement', final), rangeOf('top1-agreement')),
      init: est(out('top1-agreement', 0), rangeOf('top1-agreement')),
    };
    const jsd = {
      final: est(out('jsd', final), rangeOf('jsd')),
      init: est(out('jsd', 0), rangeOf('jsd')),
    };

    const w0 = alignedWeights(ctx.store, expId, 0, ids);
    const w1 = alignedWeights(ctx.store, expId, final, ids);
    const weights = {
      alignedMatrixCosine: { final: est(w1.matrixCosine), randomInits: est(w0.matrixCosine) },
      naiveMatrixCosine: {
        final: est(w1.naiveMatrixCosine),
        randomInits: est(w0.naiveMatrixCosine),
      },
      barrier: { aligned: est(w1.barrier), naive: est(w1.naiveBarrier) },
      barrierReduction: est(matrixDifference(w1.naiveBarrier, w1.barrier)),
    };

    const overSteps = steps.map((step) => ({
      step,
      cka: Object.fromEntries(layers.map((l) => [l, est(cka(step, l)).value])),
      agreement: est(out('top1-agreement', step)).value,
    }));

    const verdicts: Verdict[] = [
      aboveVerdict(
        'Training makes seeds more alike than they are at initialisation (CKA at the head input rises over its step-0 value)',
        `change of cross-seed CKA at ${head}, final minus step 0`,
        headRow.change,
        0,
        restOn,
        `0 (no change; step-0 CKA ${num(headRow.init.value)?.toFixed(3) ?? 'n/a'})`,
      ),
      depth
        ? aboveVerdict(
            'Cross-seed CKA is higher near the input than deep in the network',
            `CKA of ${blocks[0]} minus ${blocks[blocks.length - 1]} (final)`,
            depth,
            0,
            restOn,
          )
        : {
            expectation: 'Cross-seed CKA is higher near the input than deep in the network',
            status: 'inconclusive',
            evidence: 'Needs at least two blocks.',
          },
      aboveVerdict(
        'CKA identifies the corresponding block of another seed above chance',
        `layer-identification accuracy over ${blocks.length} blocks (embedding and final norm left out); at step 0 ${num(identInit.value)?.toFixed(3) ?? 'n/a'}`,
        identFinal,
        chance,
        restOn,
        `permutation chance 1/${blocks.length} = ${chance.toFixed(3)}`,
      ),
      aboveVerdict(
        'After permutation alignment the loss barrier between seeds is lower than without (Git Re-Basin)',
        `naive minus aligned loss barrier (final); aligned barrier ${num(weights.barrier.aligned.value)?.toFixed(3) ?? 'n/a'}, naive ${num(weights.barrier.naive.value)?.toFixed(3) ?? 'n/a'}`,
        weights.barrierReduction,
        0,
        restOn,
      ),
    ];
    const headline = {
      finalStep: final,
      learnedSeeds: keep.length,
      seeds: ids.length,
      headCka: headRow.final.value,
      headCkaInit: headRow.init.value,
      headCkaChange: headRow.change.value,
      firstMinusLastBlock: depth?.value ?? null,
      layerIdentification: identFinal.value,
      layerIdentificationInit: identInit.value,
      layerIdentificationChance: num(chance),
      top1Agreement: agreement.final.value,
      alignedBarrier: weights.barrier.aligned.value,
      naiveBarrier: weights.barrier.naive.value,
      alignedMatrixCosine: weights.alignedMatrixCosine.final.value,
      alignedMatrixCosineRandomInits: weights.alignedMatrixCosine.randomInits.value,
    };
    const data = {
      experimentId: expId,
      runIds: ids,
      learnedRunIds: keptIds,
      steps,
      layers,
      finalStep: final,
      heldOut: gate.scores,
      perLayer,
      depth,
      layerIdentification: { final: identFinal, init: identInit, chance: num(chance), blocks },
      outputs: { agreement, jsd },
      weights,
      overSteps,
      headline,
    };
    const document = studyDocument(
      seedConvergence,
      ctx,
      verdicts,
      gates,
      [
        {
          heading: 'Similarity across learned seeds, by depth, against the step-0 baseline',
          blocks: [
            {
              kind: 'bar-chart',
              title: `Cross-seed linear CKA per layer at step ${final} (95% CI, jackknife over models)`,
              yLabel: 'linear CKA',
              yDomain: [0, 1],
              bars: perLayer.map((p) => bar(p.layer, p.final)),
            },
            {
              kind: 'table',
              columns: ['layer', 'final CKA', 'CI', 'step-0 CKA', 'change over init', 'CI'],
              rows: perLayer.map((p) => [
                p.layer,
                p.final.value,
                ci(p.final),
                p.init.value,
                p.change.value,
                ci(p.change),
              ]),
            },
          ],
        },
        {
          heading: 'Outputs and weights',
          blocks: [
            {
              kind: 'table',
              columns: ['measure', 'final', 'CI', 'step 0 (null)', 'CI'],
              rows: [
                [
                  'top-1 agreement',
                  agreement.final.value,
                  ci(agreement.final),
                  agreement.init.value,
                  ci(agreement.init),
                ],
                ['JSD (bits)', jsd.final.value, ci(jsd.final), jsd.init.value, ci(jsd.init)],
                [
                  'aligned cosine, 2-D matrices (null: aligned random inits)',
                  weights.alignedMatrixCosine.final.value,
                  ci(weights.alignedMatrixCosine.final),
                  weights.alignedMatrixCosine.randomInits.value,
                  ci(weights.alignedMatrixCosine.randomInits),
                ],
                [
                  'naive cosine, 2-D matrices',
                  weights.naiveMatrixCosine.final.value,
                  ci(weights.naiveMatrixCosine.final),
                  weights.naiveMatrixCosine.randomInits.value,
                  ci(weights.naiveMatrixCosine.randomInits),
                ],
                [
                  'loss barrier, aligned',
                  weights.barrier.aligned.value,
                  ci(weights.barrier.aligned),
                  null,
                  '',
                ],
                [
                  'loss barrier, naive',
                  weights.barrier.naive.value,
                  ci(weights.barrier.naive),
                  null,
                  '',
                ],
              ],
            },
            {
              kind: 'text',
              text: 'Git Re-Basin (Ainsworth et al. 2023) reports near-zero barriers after alignment for wide networks; a positive aligned barrier here is that outcome not being reached at this width.',
            },
          ],
        },
        {
          heading: 'Over training',
          blocks: [
            {
              kind: 'line-chart',
              title: 'Cross-seed linear CKA per layer over training (step 0 = init)',
              xLabel: 'step',
              yLabel: 'mean CKA over learned seed pairs',
              yDomain: [0, 1],
              series: layers.map((l) => ({
                name: l,
                points: overSteps.map((o) => ({ x: o.step, y: o.cka[l] })),
              })),
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
      gates,
      headline,
      document,
      ms: performance.now() - t0,
    };
  },
};
