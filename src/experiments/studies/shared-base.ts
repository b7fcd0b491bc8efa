/**
 * Shared base (outcome homogenization), three arms at equal budgets:
 *
 * - **shared base**: K fine-tunes of one pretrained base (different data orders);
 * - **independent bases**: K fine-tunes, each of its own independently pretrained base;
 * - **scratch**: K models trained on the downstream task alone for the whole budget
 *   (pretraining + fine-tuning steps).
 *
 * Arms 1 vs 2 isolate *sharing* a base (both arms were pretrained); 1 vs 3 is the usual
 * "foundation model vs not" contrast. Measured on held-out downstream answer tokens: error
 * consistency κ normalised by its largest value given the two models' error rates (κ/κ_max,
 * so an arm's accuracy alone cannot raise it), and, for reference, raw κ, pairwise outcome
 * homogenization H₂ and P(all fail) beside the error rates they depend on.
 *
 * Expected (Bommasani et al. 2022): sharing a base homogenizes outcomes — though their own
 * results were mixed (homogenization rose in some settings and not in others), so either
 * outcome is a finding.
 */
import type { ExperimentSpecInput } from '../spec/spec';
import { createExperiment } from '../spec/create';
import { pairwiseDifference, pairwiseMean, subMatrix } from '../stats';
import { analyze } from './analyze';
import { copyReverse, GPU, learnGates, learnedOf, seeds } from './common';
import { parentRef } from './fine-tune';
import type { Gate, LearnCriterion } from './gates';
import { homogenization, modelMatrix, weightTrajectoryOf } from './read';
import { bar, ci, num, studyDocument } from './report';
import { withOrigin } from './origin';
import { createAndTrain, phase, trainExperiment } from './train';
import type {
  ExpectedTime,
  StudyContext,
  StudyDefinition,
  StudyResult,
  StudyScale,
  Verdict,
} from './types';
import { differenceVerdict } from './verdicts';

const ID = 'shared-base';
export const ARMS = ['shared base', 'independent bases', 'scratch'] as const;
const [SHARED, INDEPENDENT, SCRATCH] = ARMS;

interface Design {
  k: number;
  model: ExperimentSpecInput['model'];
  pretrain: Pick<ExperimentSpecInput, 'dataset' | 'training'>;
  downstream: Pick<ExperimentSpecInput, 'dataset' | 'training'>;
  probeSize: number;
  /** Smallest relative weight distance a fine-tune must move from its parent. */
  minMove: number;
  learn: LearnCriterion;
  time: ExpectedTime;
}

export function sharedBaseDesign(scale: StudyScale): Design {
  const t = (steps: number, batchSize: number, lr = 3e-3) => ({
    steps,
    batchSize,
    lr,
    warmupSteps: Math.ceil(steps / 20),
    evalBatches: 4,
  });
  switch (scale) {
    case 'test':
      return {
        k: 3,
        model: { dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, contextLength: 16 },
        pretrain: { dataset: copyReverse(5, 2, 4, 256, 64, 0), training: t(16, 8) },
        downstream: { dataset: copyReverse(5, 3, 6, 128, 64, 1), training: t(8, 8) },
        probeSize: 32,
        minMove: 0.01,
        learn: { exactMatch: 0.5, minRuns: 3 },
        time: { cpu2: 1.5, laptop8: 0.5, gpu: 0.5, basis: 'test scale' },
      };
    case 'tiny':
      return {
        k: 3,
        model: { dModel: 24, nHeads: 2, nLayers: 2, dFF: 96, contextLength: 22 },
        pretrain: { dataset: copyReverse(6, 2, 6, 2000, 256, 0), training: t(80, 16) },
        downstream: { dataset: copyReverse(6, 3, 10, 1000, 256, 1), training: t(50, 16) },
        probeSize: 64,
        minMove: 0.05,
        learn: { exactMatch: 0.5, minRuns: 3 },
        time: { cpu2: 4, laptop8: 1.5, gpu: 1, basis: 'measured on 2 cores (wasm)' },
      };
    case 'medium':
      return {
        k: 8,
        model: { dModel: 32, nHeads: 4, nLayers: 2, dFF: 128, contextLength: 22 },
        pretrain: { dataset: copyReverse(8, 2, 8, 8000, 256, 0), training: t(1200, 32) },
        downstream: { dataset: copyReverse(8, 4, 10, 4000, 256, 1), training: t(800, 32) },
        probeSize: 128,
        minMove: 0.05,
        learn: { exactMatch: 0.5, minRuns: 6 },
        time: {
          cpu2: 11,
          laptop8: 4,
          gpu: 10,
          basis: `2 cores: measured, 11.2 min (wasm, 2 workers, with the test suite running beside it); 8-core laptop: 8 workers, scaled by cores; ${GPU}`,
        },
      };
    case 'full':
      return {
        k: 16,
        model: { dModel: 256, nHeads: 8, nLayers: 6, dFF: 1024, contextLength: 64 },
        pretrain: {
          dataset: copyReverse(20, 3, 20, 200000, 1000, 0),
          training: t(10000, 64, 1e-3),
        },
        downstream: {
          dataset: copyReverse(20, 3, 30, 20000, 1000, 1),
          training: t(4000, 64, 1e-3),
        },
        probeSize: 512,
        minMove: 0.05,
        learn: { exactMatch: 0.5, minRuns: 12 },
        time: { cpu2: 4000, laptop8: 1000, gpu: 120, basis: 'scaled from medium by FLOPs' },
      };
  }
}

/** κ / κ_max: κ divided by the largest κ two models with these accuracies can reach. */
/** The K + 1 pretrained bases: base 0 is the shared one, bases 1…K the independent ones. */
function basesSpec(scale: StudyScale): ExperimentSpecInput {
  const d = sharedBaseDesign(scale);
  return {
    name: `Study: shared base — ${d.k + 1} pretrained bases (${scale})`,
    notes: `Created by \`homolab study ${ID} --scale ${scale}\`: base 0 is the shared base; bases 1…${d.k} are the independent bases.`,
    ...d.pretrain,
    model: d.model,
    axes: { grid: { initSeed: seeds(d.k + 1) } },
    analysis: { measures: [], probeSize: d.probeSize },
  };
}

/**
 * The three downstream arms of K runs: fine-tunes of the shared base, fine-tunes of the
 * independent bases (their parents are set at creation), and scratch runs of P + F steps.
 */
function downstreamSpec(scale: StudyScale): ExperimentSpecInput {
  const d = sharedBaseDesign(scale);
  const K = d.k;
  const P = d.pretrain.training.steps!;
  const F = d.downstream.training.steps!;
  return {
    name: `Study: shared base — downstream arms (${scale})`,
    notes: `Created by \`homolab study ${ID} --scale ${scale}\`.`,
    ...d.downstream,
    model: d.model,
    training: { ...d.downstream.training, checkpointAtStart: true },
    axes: {
      list: [
        ...seeds(K).map((i) => ({ initSeed: 100 + i, dataSeed: i })),
        ...seeds(K).map((i) => ({ initSeed: 200 + i, dataSeed: i })),
        ...seeds(K).map((i) => ({ initSeed: 300 + i, dataSeed: i, 'training.steps': P + F })),
      ],
    },
    analysis: { measures: [], probeSize: d.probeSize },
  };
}

export function normalisedKappa(kappa: number, accA: number, accB: number): number {
  const cExp = accA * accB + (1 - accA) * (1 - accB);
  const kMax = (1 - Math.abs(accA - accB) - cExp) / (1 - cExp);
  return kMax > 0 ? kappa / kMax : NaN;
}

/** Pairwise outcome homogenization (k = 2) from κ and the two models' error rates. */
export function pairwiseHomogenization(kappa: number, errA: number, errB: number): number {
  const pa = 1 - errA;
  const pb = 1 - errB;
  const cExp = pa * pb + (1 - pa) * (1 - pb);
  const cObs = kappa * (1 - cExp) + cExp;
  const bothFail = (cObs - pa - pb + 1) / 2;
  return errA > 0 && errB > 0 ? bothFail / (errA * errB) : NaN;
}

export const sharedBase: StudyDefinition = {
  id: ID,
  name: 'Shared base vs independent bases vs scratch (outcome homogenization)',
  question:
    'Do downstream models fine-tuned from one shared base fail on the same examples more than models fine-tuned from independently pretrained bases, or trained from scratch with the same budget?',
  expected:
    'Sharing a base homogenizes outcomes: higher error consistency (κ normalised by its maximum given the error rates) within the shared-base arm than within the independent-bases arm and the scratch arm (the monoculture argument, Bommasani et al. 2021). Bommasani et al. (2022) found mixed results — homogenization rose in some settings and not in others — so either outcome is informative.',
  references: [
    'Bommasani, Creel, Kumar, Jurafsky & Liang, "Picking on the Same Person: Does Algorithmic Monoculture lead to Outcome Homogenization?", NeurIPS 2022',
    'Bommasani et al., "On the Opportunities and Risks of Foundation Models", 2021, §5.1 (homogenization)',
    'Geirhos, Meding & Wichmann, "Beyond accuracy: quantifying trial-by-trial behaviour of CNNs and humans by measuring error consistency", NeurIPS 2020',
  ],
  describe(scale) {
    const d = sharedBaseDesign(scale);
    const P = d.pretrain.training.steps!;
    const F = d.downstream.training.steps!;
    return `${d.k + 1} bases (d_model ${d.model!.dModel}, ${d.model!.nLayers} layers) pretrained ${P} steps on copy/reverse strings; downstream: longer strings (a new sample). Arms of ${d.k} runs each: fine-tunes of base 0 (data orders 0…${d.k - 1}); fine-tunes of bases 1…${d.k}, one each; scratch models trained ${P + F} steps on the downstream task alone (equal budget). Fine-tuning: ${F} steps at the pretraining learning rate; a fine-tune must move ≥ ${d.minMove * 100}% (relative weight distance) from its parent. Learn gate: held-out exact match ≥ ${d.learn.exactMatch}, ≥ ${d.learn.minRuns} learned runs per arm; the shared base must pass it on its pretraining task. Measured on ${d.probeSize} held-out downstream sequences (answer tokens).`;
  },
  expectedTime: (scale) => sharedBaseDesign(scale).time,
  trainingSpecs: (scale) => [basesSpec(scale), downstreamSpec(scale)],
  async run(ctx: StudyContext): Promise<StudyResult> {
    const t0 = performance.now();
    const seed = ctx.statsSeed ?? 0;
    const d = sharedBaseDesign(ctx.scale);
    const K = d.k;
    const P = d.pretrain.training.steps!;
    const F = d.downstream.training.steps!;
    const base = await createAndTrain(ctx, ID, basesSpec(ctx.scale));
    const baseIds = base.runs.map((r) => r.id);
    const baseA = await analyze(ctx, ID, base.experiment.id, {
      measures: [],
      steps: 'final',
      heldOut: true,
    });
    const parents = base.runs.map((r) => parentRef(ctx.store, r.id));
    const spec: ExperimentSpecInput = {
      ...downstreamSpec(ctx.scale),
      notes: `Created by \`homolab study ${ID} --scale ${ctx.scale}\`: ${K} fine-tunes of run-${baseIds[0]}, ${K} fine-tunes of runs ${baseIds.slice(1).join(', ')}, ${K} scratch runs of ${P + F} steps.`,
    };
    const armOf = (index: number) => ARMS[Math.floor(index / K)];
    const down = createExperiment(ctx.store, withOrigin(ctx, spec), {
      parentFor: (v) =>
        v.index < K ? parents[0] : v.index < 2 * K ? parents[1 + (v.index - K)] : null,
    });
    phase(ctx, ID, 'train', `training ${3 * K} downstream runs (exp-${down.experiment.id})`);
    await trainExperiment(ctx, ID, down.experiment.id);

    const expId = down.experiment.id;
    const ids = down.runs.map((r) => r.id);
    const arms = down.variants.map((v) => armOf(v.index));
    // The scratch arm trains P + F steps, the fine-tunes F: each arm is read at its own last
    // step (equal budgets). Only pairs within an arm are compared, so arms analysed apart lose
    // nothing.
    const armIds = (arm: string) => ids.filter((_, i) => arms[i] === arm);
    const groups = [
      { ids: [...armIds(SHARED), ...armIds(INDEPENDENT)], step: F },
      { ids: armIds(SCRATCH), step: P + F },
    ];
    for (const g of groups) {
      await analyze(ctx, ID, expId, {
        measures: ['error-consistency', 'top1-agreement', 'weight-trajectory'],
        steps: [g.step],
        runIds: g.ids,
        layerMeasures: [],
        heldOut: true,
      });
      for (const arm of ARMS)
        if (g.ids.includes(armIds(arm)[0]))
          await analyze(ctx, ID, expId, {
            measures: ['outcome-homogenization'],
            steps: [g.step],
            runIds: armIds(arm),
            layerMeasures: [],
          });
    }

    phase(ctx, ID, 'report', 'building the report from the stored analyses');
    const baseStep = baseA.steps[baseA.steps.length - 1];
    const baseGate = learnGates(
      ctx,
      base.experiment.id,
      baseIds,
      baseIds.map(() => 'bases'),
      baseStep,
      {
        ...d.learn,
        minRuns: 1,
      },
    );
    const sharedGate: Gate = {
      ...baseGate.runGates[0],
      name: 'shared base learned its pretraining task',
      arm: 'bases',
    };
    const moved: Gate[] = [SHARED, INDEPENDENT].map((arm) => {
      const rel = armIds(arm)
        .map((id) => {
          const t = weightTrajectoryOf(ctx.store, expId, id) as {
            relativeToInit?: number[];
          } | null;
          return t?.relativeToInit?.at(-1) ?? NaN;
        })
        .sort((x, y) => x - y);
      const median = rel[Math.floor(rel.length / 2)];
      return {
        name: 'fine-tunes moved from their parent',
        arm,
        passed: median >= d.minMove,
        detail: `median relative weight distance from the parent checkpoint ${Number.isFinite(median) ? median.toFixed(3) : 'n/a'} (needs ≥ ${d.minMove})`,
      };
    });

    /** One arm's learned runs: their matrices (κ, κ/κ_max, H₂, agreement) and scores. */
    const perArm = ARMS.map((arm) => {
      const g = groups.find((x) => x.ids.includes(armIds(arm)[0]))!;
      const learned = learnGates(
        ctx,
        expId,
        g.ids,
        g.ids.map((id) => arms[ids.indexOf(id)]),
        g.step,
        d.learn,
      );
      const idx = learnedOf(
        learned,
        learned.runGates.map((r) => r.arm!),
        arm,
      );
      const acc = learned.scores.tokenAccuracy;
      const kappa = modelMatrix(ctx.store, expId, 'error-consistency', g.step, g.ids, 'output');
      const agree = modelMatrix(ctx.store, expId, 'top1-agreement', g.step, g.ids, 'output');
      const cell = (f: (i: number, j: number) => number) =>
        idx.map((i) => idx.map((j) => (i === j ? null : num(f(i, j)))));
      const m = {
        kappa: subMatrix(kappa, idx),
        kappaNormalised: cell((i, j) => normalisedKappa(kappa[i][j] ?? NaN, acc[i], acc[j])),
        h2: cell((i, j) => pairwiseHomogenization(kappa[i][j] ?? NaN, 1 - acc[i], 1 - acc[j])),
        agreement: subMatrix(agree, idx),
      };
      const oh = homogenization(ctx.store, expId, g.step, armIds(arm));
      return {
        arm,
        step: g.step,
        gates: learned.runGates.filter((r) => r.arm === arm),
        armGate: learned.armGates.find((r) => r.arm === arm)!,
        learnedRunIds: idx.map((i) => g.ids[i]),
        runs: armIds(arm).length,
        meanErrorRate: num(idx.reduce((s, i) => s + 1 - acc[i], 0) / idx.length),
        matrices: m,
        kappaNormalised: pairwiseMean(m.kappaNormalised),
        kappa: pairwiseMean(m.kappa),
        h2: pairwiseMean(m.h2),
        agreement: pairwiseMean(m.agreement),
        allFail: oh.allFail,
        hAllRuns: oh.value,
      };
    });
    const armData = (arm: string) => perArm.find((p) => p.arm === arm)!;
    const gates = [
      sharedGate,
      ...baseGate.runGates.slice(1),
      ...perArm.flatMap((p) => p.gates),
      ...perArm.map((p) => p.armGate),
      ...moved,
    ];
    type Key = keyof (typeof perArm)[number]['matrices'];
    const diff = (key: Key, x: string, y: string) =>
      pairwiseDifference(
        { matrix: armData(x).matrices[key] },
        { matrix: armData(y).matrices[key] },
        { seed },
      );
    const restOn = (x: string, y: string) => [
      sharedGate,
      armData(x).armGate,
      armData(y).armGate,
      ...moved.filter((g) => g.arm === x || g.arm === y),
    ];
    const tests = {
      kNormSharedVsIndependent: diff('kappaNormalised', SHARED, INDEPENDENT),
      kNormSharedVsScratch: diff('kappaNormalised', SHARED, SCRATCH),
      kappaSharedVsIndependent: diff('kappa', SHARED, INDEPENDENT),
      kappaSharedVsScratch: diff('kappa', SHARED, SCRATCH),
      h2SharedVsIndependent: diff('h2', SHARED, INDEPENDENT),
      agreementSharedVsIndependent: diff('agreement', SHARED, INDEPENDENT),
    };
    const verdicts: Verdict[] = [
      differenceVerdict(
        'Fine-tunes of one shared base make more consistent errors than fine-tunes of independently pretrained bases (κ/κ_max)',
        'mean pairwise κ/κ_max',
        tests.kNormSharedVsIndependent,
        restOn(SHARED, INDEPENDENT),
        [SHARED, INDEPENDENT],
      ),
      differenceVerdict(
        'Fine-tunes of one shared base make more consistent errors than models trained from scratch with the same budget (κ/κ_max)',
        'mean pairwise κ/κ_max',
        tests.kNormSharedVsScratch,
        restOn(SHARED, SCRATCH),
        [SHARED, SCRATCH],
      ),
    ];
    const headline: Record<string, number | string | null> = {
      kNormSharedMinusIndependent: tests.kNormSharedVsIndependent.value,
      kNormSharedMinusIndependentP: tests.kNormSharedVsIndependent.test?.pValue ?? null,
      kNormSharedMinusScratch: tests.kNormSharedVsScratch.value,
      kNormSharedMinusScratchP: tests.kNormSharedVsScratch.test?.pValue ?? null,
    };
    for (const p of perArm) {
      headline[`${p.arm}: κ/κmax`] = p.kappaNormalised.value;
      headline[`${p.arm}: error rate`] = p.meanErrorRate;
      headline[`${p.arm}: learned`] = p.learnedRunIds.length;
    }
    const data = {
      baseExperimentId: base.experiment.id,
      baseRunIds: baseIds,
      experimentId: expId,
      runIds: ids,
      arms,
      parents: down.runs.map((r) =>
        r.parentRunId === null ? null : { runId: r.parentRunId, step: r.parentStep },
      ),
      perArm,
      tests,
      headline,
    };
    const document = studyDocument(
      sharedBase,
      ctx,
      verdicts,
      gates,
      [
        {
          heading: 'Error consistency within each arm (learned runs)',
          blocks: [
            {
              kind: 'bar-chart',
              title: 'Mean pairwise κ/κ_max per arm (95% CI, jackknife over models)',
              yLabel: 'κ / κ_max',
              bars: perArm.map((p) => bar(p.arm, p.kappaNormalised)),
              references: [{ y: 0, label: 'independent errors' }],
            },
            {
              kind: 'table',
              columns: [
                'arm',
                'learned / runs',
                'mean error rate',
                'κ/κ_max',
                'CI',
                'raw κ',
                'pairwise H₂',
                'P(all fail)',
                'H (all runs of the arm)',
              ],
              rows: perArm.map((p) => [
                p.arm,
                `${p.learnedRunIds.length} / ${p.runs}`,
                p.meanErrorRate,
                p.kappaNormalised.value,
                ci(p.kappaNormalised),
                p.kappa.value,
                p.h2.value,
                num(p.allFail),
                num(p.hAllRuns),
              ]),
            },
            {
              kind: 'text',
              text: "Raw κ, H₂ and P(all fail) rise mechanically as error rates fall (for k = 2, H ≤ 1/max ε); compare them only beside the error rates. κ/κ_max conditions on the two models' error rates.",
            },
          ],
        },
      ],
      data,
      [expId, base.experiment.id],
    );
    return {
      study: ID,
      scale: ctx.scale,
      experimentIds: [expId, base.experiment.id],
      runIds: [...ids, ...baseIds],
      verdicts,
      gates,
      headline,
      document,
      ms: performance.now() - t0,
    };
  },
};
