/**
 * Emergence: modular addition with a held-out split (the grokking setup), several seeds.
 * Held-out accuracy over training locates a capability transition per run; cross-seed
 * similarity (CKA, output agreement, JSD) over the same checkpoints shows whether the seeds
 * converge onto a shared solution as the capability appears.
 */
import type { ExperimentSpecInput } from '../spec/spec';
import { analyze } from './analyze';
import { metricPoints, modelMatrix, storedLayers } from './read';
import { intervalJson, intervalText, num, studyDocument } from './report';
import { bootstrapCI, bootstrapPairwiseCI, meanOffDiagonal } from './stats';
import { createAndTrain, phase } from './train';
import { findTransition } from './transition';
import type { StudyContext, StudyDefinition, StudyResult, StudyScale, Verdict } from './types';

const ID = 'emergence';

interface Design {
  seeds: number;
  p: number;
  trainFraction: number;
  model: NonNullable<ExperimentSpecInput['model']>;
  training: ExperimentSpecInput['training'];
  probeSize: number;
}

export function emergenceDesign(scale: StudyScale): Design {
  const common = { schedule: 'constant' as const, weightDecay: 1, beta2: 0.98, evalBatches: 8 };
  switch (scale) {
    case 'test':
      return {
        seeds: 2,
        p: 7,
        trainFraction: 0.6,
        model: { dModel: 16, nHeads: 2, nLayers: 1, dFF: 64 },
        training: {
          ...common,
          steps: 30,
          batchSize: 16,
          lr: 5e-3,
          warmupSteps: 2,
          evalEvery: 10,
          checkpointEvery: 10,
          evalBatches: 2,
        },
        probeSize: 19,
      };
    case 'tiny':
      return {
        seeds: 3,
        p: 17,
        trainFraction: 0.7,
        model: { dModel: 32, nHeads: 4, nLayers: 1, dFF: 128 },
        training: {
          ...common,
          steps: 900,
          batchSize: 32,
          lr: 5e-3,
          warmupSteps: 10,
          evalEvery: 75,
          checkpointEvery: 75,
        },
        probeSize: 86,
      };
    case 'small':
      return {
        seeds: 3,
        p: 23,
        trainFraction: 0.6,
        model: { dModel: 64, nHeads: 4, nLayers: 1, dFF: 256 },
        training: {
          ...common,
          steps: 1200,
          batchSize: 64,
          lr: 3e-3,
          warmupSteps: 10,
          evalEvery: 60,
          checkpointEvery: 120,
        },
        probeSize: 211,
      };
    case 'full':
      return {
        seeds: 8,
        p: 97,
        trainFraction: 0.4,
        model: { dModel: 128, nHeads: 4, nLayers: 1, dFF: 512 },
        training: {
          ...common,
          steps: 20000,
          batchSize: 512,
          lr: 1e-3,
          warmupSteps: 100,
          evalEvery: 500,
          checkpointEvery: 1000,
        },
        probeSize: 1024,
      };
  }
}

export function emergenceSpec(scale: StudyScale): ExperimentSpecInput {
  const d = emergenceDesign(scale);
  const width = String(d.p - 1).length;
  return {
    name: `Study: emergence, modular addition (${scale})`,
    notes: `Created by \`homolab study ${ID} --scale ${scale}\`.`,
    dataset: { kind: 'modular', p: d.p, ops: ['+'], trainFraction: d.trainFraction, seed: 0 },
    // Prompt a+b= and answer c, zero-padded: 3·width + 2 tokens with the end marker.
    model: { ...d.model, contextLength: 3 * width + 2 },
    training: d.training,
    axes: { grid: { initSeed: Array.from({ length: d.seeds }, (_, i) => i) } },
    analysis: {
      measures: ['linear-cka', 'top1-agreement', 'jsd'],
      checkpoints: 'all',
      probeSize: d.probeSize,
    },
  };
}

export const emergence: StudyDefinition = {
  id: ID,
  name: 'Emergence (modular addition, held-out pairs)',
  question:
    'When a capability appears abruptly — generalising modular addition to held-out pairs — where does the transition happen in each run, and do independently initialised models become more alike as it appears?',
  expected:
    'Held-out accuracy rises sharply after a plateau (Power et al. 2022), at a seed-dependent step; seeds learn similar algorithms (Nanda et al. 2023), though not always the same one (Zhong et al. 2023), so cross-seed output agreement rises across the transition.',
  references: [
    'Power, Burda, Edwards, Babuschkin & Misra, "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets", 2022',
    'Nanda, Chan, Lieberum, Smith & Steinhardt, "Progress measures for grokking via mechanistic interpretability", ICLR 2023',
    'Zhong, Liu, Tegmark & Andreas, "The Clock and the Pizza: Two Stories in Mechanistic Explanation of Neural Networks", NeurIPS 2023',
  ],
  describe(scale) {
    const d = emergenceDesign(scale);
    return `a + b mod ${d.p}, ${Math.round(d.trainFraction * 100)}% of the ${d.p}² pairs for training, the rest held out; ${d.seeds} init seeds of a ${d.model.nLayers}-layer Transformer (d_model ${d.model.dModel}) trained with AdamW (weight decay 1, constant lr) for ${d.training.steps} steps, batch ${d.training.batchSize}. Held-out answer-token accuracy every ${d.training.evalEvery} steps; CKA, top-1 agreement and JSD between seeds at every checkpoint (every ${d.training.checkpointEvery} steps) on ${d.probeSize} held-out equations. Transition step = where held-out accuracy crosses halfway from its start to its final plateau (mean of the last 3 evaluations), counted only if it rises by at least 0.2; width = steps from 10% to 90% of the rise.`;
  },
  async run(ctx: StudyContext): Promise<StudyResult> {
    const t0 = performance.now();
    const seed = ctx.statsSeed ?? 0;
    const d = emergenceDesign(ctx.scale);
    const { experiment, runs } = await createAndTrain(ctx, ID, emergenceSpec(ctx.scale));
    const expId = experiment.id;
    const ids = runs.map((r) => r.id);
    const a = await analyze(ctx, ID, expId, {
      measures: ['linear-cka', 'top1-agreement', 'jsd'],
      steps: 'all',
      layerMeasures: [],
    });
    phase(ctx, ID, 'report', 'building the report from the stored metrics and analyses');
    const steps = a.steps;
    const final = steps[steps.length - 1];
    const total = d.training.steps ?? final;
    const layers = storedLayers(ctx.store, expId, 'linear-cka', final, ids);
    const lastLayer = layers[layers.length - 1];

    const perRun = runs.map((r) => {
      const acc = metricPoints(ctx.store, r.id, 'eval_accuracy');
      const loss = metricPoints(ctx.store, r.id, 'loss');
      const tr = findTransition(acc);
      return {
        runId: r.id,
        name: r.name,
        seed: r.initSeed,
        accuracy: acc,
        transition: tr,
        finalTrainLoss: num(loss.at(-1)?.value),
      };
    });
    const withT = perRun.filter((p) => p.transition.step !== null);
    const tSteps = withT.map((p) => p.transition.step!);
    const tCi = bootstrapCI(tSteps, { seed });
    const widths = withT.map((p) => p.transition.width).filter((w): w is number => w !== null);
    const relWidth = widths.length ? Math.max(...widths) / total : NaN;

    const overSteps = steps.map((step) => ({
      step,
      cka: num(meanOffDiagonal(modelMatrix(ctx.store, expId, 'linear-cka', step, ids, lastLayer))),
      embedCka: num(
        meanOffDiagonal(modelMatrix(ctx.store, expId, 'linear-cka', step, ids, layers[0])),
      ),
      agreement: num(
        meanOffDiagonal(modelMatrix(ctx.store, expId, 'top1-agreement', step, ids, 'output')),
      ),
      jsd: num(meanOffDiagonal(modelMatrix(ctx.store, expId, 'jsd', step, ids, 'output'))),
    }));
    // Before = the last checkpoint before the earliest transition; after = the final one.
    const firstT = tSteps.length ? Math.min(...tSteps) : null;
    const before = firstT === null ? null : ([...steps].reverse().find((s) => s < firstT) ?? null);
    const change = (kind: string, layer: string) => {
      if (before === null) return null;
      const m0 = modelMatrix(ctx.store, expId, kind, before, ids, layer);
      const m1 = modelMatrix(ctx.store, expId, kind, final, ids, layer);
      const diff = m1.map((r, i) =>
        r.map((v, j) => (v === null || m0[i][j] === null ? null : v - m0[i][j]!)),
      );
      return bootstrapPairwiseCI(diff, { seed });
    };
    const agreeChange = change('top1-agreement', 'output');
    const ckaChange = change('linear-cka', lastLayer);

    const expectation1 =
      'Held-out accuracy rises sharply after a plateau (a transition in every run)';
    let v1: Verdict;
    if (withT.length === runs.length && relWidth <= 0.35)
      v1 = {
        expectation: expectation1,
        status: 'reproduced',
        evidence: `every run has a transition; steps ${tSteps.map((s) => s.toFixed(0)).join(', ')} (mean ${intervalText(tCi, 0)}); widest 10–90% rise ${(relWidth * 100).toFixed(0)}% of training.`,
      };
    else if (withT.length === 0)
      v1 = {
        expectation: expectation1,
        status: 'not-reproduced',
        evidence: `no run's held-out accuracy rose by 0.2 or more (final plateaus ${perRun.map((p) => p.transition.end.toFixed(2)).join(', ')}); the budget is likely too short for this task at this scale.`,
      };
    else
      v1 = {
        expectation: expectation1,
        status: 'inconclusive',
        evidence: `${withT.length} of ${runs.length} runs have a transition (steps ${tSteps.map((s) => s.toFixed(0)).join(', ') || '—'}); widest 10–90% rise ${Number.isFinite(relWidth) ? `${(relWidth * 100).toFixed(0)}% of training` : 'n/a'} — gradual rather than sharp if above 35%.`,
      };
    const expectation2 = 'Cross-seed output agreement rises across the transition';
    const v2: Verdict =
      agreeChange === null
        ? {
            expectation: expectation2,
            status: 'inconclusive',
            evidence:
              'no transition (or none after the first checkpoint) to compare before and after.',
          }
        : {
            expectation: expectation2,
            status:
              agreeChange.lower > 0
                ? 'reproduced'
                : agreeChange.upper < 0
                  ? 'not-reproduced'
                  : 'inconclusive',
            evidence: `top-1 agreement between seeds, final minus step ${before}: ${intervalText(agreeChange)}; CKA at ${lastLayer}: ${ckaChange ? intervalText(ckaChange) : 'n/a'}.`,
          };
    const headline = {
      runsWithTransition: withT.length,
      runs: runs.length,
      meanTransitionStep: num(tCi.estimate),
      maxRelativeWidth: num(relWidth),
      finalHeldOutAccuracy: num(perRun.reduce((s, p) => s + p.transition.end, 0) / perRun.length),
      agreementChange: num(agreeChange?.estimate),
      ckaChange: num(ckaChange?.estimate),
    };
    const data = {
      experimentId: expId,
      runIds: ids,
      steps,
      layers,
      perRun,
      transitionSteps: intervalJson(tCi),
      before,
      agreementChange: agreeChange ? intervalJson(agreeChange) : null,
      ckaChange: ckaChange ? intervalJson(ckaChange) : null,
      overSteps,
      headline,
    };
    const document = studyDocument(
      emergence,
      ctx,
      [v1, v2],
      [
        {
          heading: 'Held-out accuracy and transitions',
          blocks: [
            {
              kind: 'line-chart',
              title: 'Held-out answer-token accuracy (dashed lines: transition steps)',
              xLabel: 'step',
              yLabel: 'accuracy',
              yDomain: [0, 1],
              series: perRun.map((p) => ({
                name: `seed ${p.seed}`,
                points: p.accuracy.map((q) => ({ x: q.step, y: q.value })),
              })),
              markers: withT.map((p) => ({
                x: p.transition.step!,
                label: `seed ${p.seed}: transition at step ${p.transition.step!.toFixed(0)}`,
              })),
            },
            {
              kind: 'table',
              columns: [
                'run',
                'seed',
                'start acc.',
                'final plateau',
                'transition step',
                '10–90% width (steps)',
                'final train loss',
              ],
              rows: perRun.map((p) => [
                `run-${p.runId}`,
                p.seed,
                num(p.transition.start),
                num(p.transition.end),
                num(p.transition.step),
                num(p.transition.width),
                p.finalTrainLoss,
              ]),
            },
          ],
        },
        {
          heading: 'Similarity between seeds over training',
          blocks: [
            {
              kind: 'line-chart',
              title: 'Cross-seed similarity over training',
              xLabel: 'step',
              yLabel: 'mean over seed pairs',
              yDomain: [0, 1],
              series: [
                {
                  name: `CKA ${lastLayer}`,
                  points: overSteps.map((o) => ({ x: o.step, y: o.cka })),
                },
                {
                  name: `CKA ${layers[0]}`,
                  points: overSteps.map((o) => ({ x: o.step, y: o.embedCka })),
                  dashed: true,
                },
                {
                  name: 'top-1 agreement',
                  points: overSteps.map((o) => ({ x: o.step, y: o.agreement })),
                },
                {
                  name: 'JSD (bits)',
                  points: overSteps.map((o) => ({ x: o.step, y: o.jsd })),
                  dashed: true,
                },
              ],
              markers: withT.map((p) => ({
                x: p.transition.step!,
                label: `seed ${p.seed} transition`,
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
      verdicts: [v1, v2],
      headline,
      document,
      ms: performance.now() - t0,
    };
  },
};
