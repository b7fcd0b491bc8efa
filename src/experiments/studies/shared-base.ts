/**
 * Shared base vs scratch (outcome homogenization): pretrain one base model; fine-tune it into
 * K downstream models (different data orders and dropout/init streams); train K comparable
 * models from scratch on the same downstream task and budget. Do models built on one shared
 * base fail on the same examples more than independently trained ones?
 *
 * Measured within each group on the downstream probe set: error consistency κ (Geirhos et al.
 * 2020) for every pair, outcome homogenization H over the group's k models (Bommasani et al.
 * 2022), and the pairwise H (k = 2), which follows exactly from κ and the two error rates:
 * with accuracies p_i, p_j, c_exp = p_i·p_j + (1−p_i)(1−p_j), c_obs = κ(1 − c_exp) + c_exp,
 * P(both fail) = (c_obs − p_i − p_j + 1) / 2 and H_ij = P(both fail) / (e_i·e_j).
 *
 * Expected (Bommasani et al. 2022): the shared-base group is more homogenized (higher κ, H).
 */
import type { DatasetSpecInput } from '../../core/data/spec';
import type { ExperimentSpecInput } from '../spec/spec';
import { analyze } from './analyze';
import { createFineTuneExperiment, parentRef } from './fine-tune';
import { withOrigin } from './origin';
import { homogenization, metricPoints, modelMatrix } from './read';
import { fmtP, intervalJson, intervalText, num, studyDocument } from './report';
import {
  bootstrapPairwiseCI,
  matrixPermutationTest,
  withinGroupDifference,
  type PermutationResult,
  type SquareMatrix,
} from './stats';
import { createAndTrain, phase, trainExperiment } from './train';
import type { StudyContext, StudyDefinition, StudyResult, StudyScale, Verdict } from './types';

const ID = 'shared-base';

interface Design {
  k: number;
  model: ExperimentSpecInput['model'];
  pretrainData: DatasetSpecInput;
  pretrain: ExperimentSpecInput['training'];
  downstreamData: DatasetSpecInput;
  downstream: ExperimentSpecInput['training'];
  probeSize: number;
}

const copyData = (
  alphabetSize: number,
  minLength: number,
  maxLength: number,
  numTrain: number,
  numValidation: number,
  seed: number,
): DatasetSpecInput => ({
  kind: 'copy-reverse',
  mode: 'mixed',
  alphabetSize,
  minLength,
  maxLength,
  numTrain,
  numValidation,
  seed,
});

export function sharedBaseDesign(scale: StudyScale): Design {
  switch (scale) {
    case 'test':
      return {
        k: 3,
        model: { dModel: 16, nHeads: 2, nLayers: 2, dFF: 32, contextLength: 16 },
        pretrainData: copyData(5, 2, 4, 512, 64, 0),
        pretrain: { steps: 30, batchSize: 8, lr: 3e-3, warmupSteps: 2, evalBatches: 1 },
        downstreamData: copyData(5, 2, 6, 64, 64, 1),
        downstream: { steps: 12, batchSize: 8, lr: 1e-3, warmupSteps: 2, evalBatches: 1 },
        probeSize: 48,
      };
    case 'tiny':
      return {
        k: 4,
        model: { dModel: 32, nHeads: 4, nLayers: 2, dFF: 128, contextLength: 24 },
        pretrainData: copyData(6, 2, 6, 4000, 256, 0),
        pretrain: { steps: 400, batchSize: 16, lr: 3e-3, warmupSteps: 20, evalBatches: 4 },
        downstreamData: copyData(6, 2, 9, 256, 256, 1),
        downstream: { steps: 150, batchSize: 16, lr: 1e-3, warmupSteps: 10, evalBatches: 4 },
        probeSize: 256,
      };
    case 'small':
      return {
        k: 5,
        model: { dModel: 48, nHeads: 4, nLayers: 3, dFF: 192, contextLength: 28 },
        pretrainData: copyData(8, 3, 8, 20000, 512, 0),
        pretrain: { steps: 1500, batchSize: 16, lr: 2e-3, warmupSteps: 75, evalBatches: 4 },
        downstreamData: copyData(8, 3, 12, 512, 512, 1),
        downstream: { steps: 300, batchSize: 16, lr: 1e-3, warmupSteps: 15, evalBatches: 4 },
        probeSize: 512,
      };
    case 'full':
      return {
        k: 8,
        model: { dModel: 256, nHeads: 8, nLayers: 6, dFF: 1024, contextLength: 64 },
        pretrainData: copyData(20, 3, 20, 200000, 1000, 0),
        pretrain: { steps: 10000, batchSize: 64, lr: 1e-3, warmupSteps: 500, evalBatches: 8 },
        downstreamData: copyData(20, 3, 30, 2000, 1000, 1),
        downstream: { steps: 2000, batchSize: 64, lr: 5e-4, warmupSteps: 100, evalBatches: 8 },
        probeSize: 1000,
      };
  }
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

const FT = 'shared base';
const SC = 'scratch';

function sub(m: SquareMatrix, idx: number[]): (number | null)[][] {
  return idx.map((i) => idx.map((j) => m[i][j]));
}

function groupVerdict(
  expectation: string,
  what: string,
  ft: ReturnType<typeof bootstrapPairwiseCI>,
  sc: ReturnType<typeof bootstrapPairwiseCI>,
  test: PermutationResult,
): Verdict {
  const evidence = `${what}: shared base ${intervalText(ft)}, scratch ${intervalText(sc)}; difference ${test.observed.toFixed(3)}, two-sided permutation p ${fmtP(test.pValue)} (${test.method}, ${test.permutations} relabellings).`;
  if (!Number.isFinite(test.observed))
    return {
      expectation,
      status: 'inconclusive',
      evidence: `${evidence} Undefined (a model made no errors).`,
    };
  if (test.observed > 0 && test.pValue < 0.05)
    return { expectation, status: 'reproduced', evidence };
  if (test.observed < 0 && test.pValue < 0.05)
    return {
      expectation,
      status: 'not-reproduced',
      evidence: `${evidence} The scratch group is the more homogenized one.`,
    };
  return {
    expectation,
    status: 'inconclusive',
    evidence: `${evidence} ${test.observed > 0 ? 'Right direction, but not significant at 0.05' : 'No higher homogenization for the shared base'} with this many models.`,
  };
}

export const sharedBase: StudyDefinition = {
  id: ID,
  name: 'Shared base vs scratch (outcome homogenization)',
  question:
    'When many downstream models are fine-tuned from one shared base model, do they fail on the same examples more than models trained independently from scratch?',
  expected:
    'Models adapted from a shared base are more homogenized: higher error consistency κ and higher outcome homogenization H within the group than for independently trained models (Bommasani et al. 2022; monoculture argument of Bommasani et al. 2021).',
  references: [
    'Bommasani, Creel, Kumar, Jurafsky & Liang, "Picking on the Same Person: Does Algorithmic Monoculture lead to Outcome Homogenization?", NeurIPS 2022',
    'Bommasani et al., "On the Opportunities and Risks of Foundation Models", 2021, §5.1 (homogenization)',
    'Geirhos, Meding & Wichmann, "Beyond accuracy: quantifying trial-by-trial behaviour of CNNs and humans by measuring error consistency", NeurIPS 2020',
  ],
  describe(scale) {
    const d = sharedBaseDesign(scale);
    const m = d.model!;
    return `One base model (d_model ${m.dModel}, ${m.nLayers} layers) pretrained for ${d.pretrain.steps} steps on copy/reverse strings of length ${(d.pretrainData as { minLength: number }).minLength}–${(d.pretrainData as { maxLength: number }).maxLength}; downstream task: a small new sample (${(d.downstreamData as { numTrain: number }).numTrain} strings) with lengths up to ${(d.downstreamData as { maxLength: number }).maxLength}. ${d.k} fine-tune runs start from the base's final checkpoint (data-order seeds 0…${d.k - 1}); ${d.k} scratch runs start from random inits (init seeds 100…, same data-order seeds); every downstream run trains ${d.downstream.steps} steps with the same optimiser settings. Measured on ${d.probeSize} held-out downstream sequences (answer tokens).`;
  },
  async run(ctx: StudyContext): Promise<StudyResult> {
    const t0 = performance.now();
    const seed = ctx.statsSeed ?? 0;
    const d = sharedBaseDesign(ctx.scale);
    const base = await createAndTrain(ctx, ID, {
      name: `Study: shared base — pretraining (${ctx.scale})`,
      notes: `Created by \`homolab study ${ID} --scale ${ctx.scale}\`: the shared base model.`,
      dataset: d.pretrainData,
      model: d.model,
      training: d.pretrain,
      analysis: { measures: [], probeSize: d.probeSize },
    });
    const parent = parentRef(ctx.store, base.runs[0].id);
    const K = d.k;
    const spec: ExperimentSpecInput = {
      name: `Study: shared base — downstream (${ctx.scale})`,
      notes: `Created by \`homolab study ${ID} --scale ${ctx.scale}\`: ${K} fine-tunes of run-${parent.runId} (step ${parent.step}) and ${K} models from scratch.`,
      dataset: d.downstreamData,
      model: d.model,
      training: d.downstream,
      axes: {
        list: [
          ...Array.from({ length: K }, (_, i) => ({ initSeed: i, dataSeed: i })),
          ...Array.from({ length: K }, (_, i) => ({ initSeed: 100 + i, dataSeed: i })),
        ],
      },
      analysis: {
        measures: [
          'error-consistency',
          'outcome-homogenization',
          'top1-agreement',
          'jsd',
          'linear-cka',
        ],
        probeSize: d.probeSize,
      },
    };
    const down = createFineTuneExperiment(ctx.store, withOrigin(ctx, spec), (v) =>
      v.initSeed < 100 ? parent : null,
    );
    phase(
      ctx,
      ID,
      'train',
      `training ${K} fine-tunes and ${K} scratch models (exp-${down.experiment.id})`,
    );
    await trainExperiment(ctx, ID, down.experiment.id);

    const expId = down.experiment.id;
    const ids = down.runs.map((r) => r.id);
    const ftIdx = ids.map((_, i) => i).filter((i) => i < K);
    const scIdx = ids.map((_, i) => i).filter((i) => i >= K);
    const measures = [
      'error-consistency',
      'outcome-homogenization',
      'top1-agreement',
      'jsd',
      'linear-cka',
    ] as const;
    const all = await analyze(ctx, ID, expId, {
      measures: [...measures],
      steps: 'final',
      layerMeasures: [],
    });
    const step = all.steps[all.steps.length - 1];
    const groups = { [FT]: ftIdx.map((i) => ids[i]), [SC]: scIdx.map((i) => ids[i]) };
    for (const g of Object.values(groups))
      await analyze(ctx, ID, expId, {
        measures: ['outcome-homogenization'],
        steps: [step],
        runIds: g,
        layerMeasures: [],
      });

    phase(ctx, ID, 'report', 'building the report from the stored analyses');
    const kappa = modelMatrix(ctx.store, expId, 'error-consistency', step, ids, 'output');
    const agreeM = modelMatrix(ctx.store, expId, 'top1-agreement', step, ids, 'output');
    const ohAll = homogenization(ctx.store, expId, step, ids);
    const errs = ohAll.errorRates.map((e) => e ?? NaN);
    const h2: (number | null)[][] = ids.map((_, i) =>
      ids.map((_, j) =>
        i === j ? null : num(pairwiseHomogenization(kappa[i][j] ?? NaN, errs[i], errs[j])),
      ),
    );
    const labels = ids.map((_, i) => (i < K ? FT : SC));
    const stat = withinGroupDifference(FT, SC);
    const kTest = matrixPermutationTest(kappa, labels, stat, { seed });
    const hTest = matrixPermutationTest(h2, labels, stat, { seed });
    const aTest = matrixPermutationTest(agreeM, labels, stat, { seed });
    const ci = (m: SquareMatrix, idx: number[]) => bootstrapPairwiseCI(sub(m, idx), { seed });
    const kFt = ci(kappa, ftIdx);
    const kSc = ci(kappa, scIdx);
    const hFt = ci(h2, ftIdx);
    const hSc = ci(h2, scIdx);
    const aFt = ci(agreeM, ftIdx);
    const aSc = ci(agreeM, scIdx);
    const ohFt = homogenization(ctx.store, expId, step, groups[FT]);
    const ohSc = homogenization(ctx.store, expId, step, groups[SC]);
    const layersCka = ['final_norm'].filter((l) =>
      ctx.store.analyses
        .list({ experimentId: expId, kind: 'linear-cka' })
        .some((a) => a.layers === l),
    );
    const ckaLast = layersCka.length
      ? modelMatrix(ctx.store, expId, 'linear-cka', step, ids, layersCka[0])
      : null;
    const ckaFt = ckaLast ? ci(ckaLast, ftIdx) : null;
    const ckaSc = ckaLast ? ci(ckaLast, scIdx) : null;
    const baseEval =
      metricPoints(ctx.store, base.runs[0].id, 'eval_accuracy').at(-1)?.value ?? null;
    const perRun = down.runs.map((r, i) => ({
      runId: r.id,
      name: r.name,
      group: labels[i],
      errorRate: num(errs[i]),
      evalLoss: num(metricPoints(ctx.store, r.id, 'eval_loss').at(-1)?.value),
    }));

    const verdicts: Verdict[] = [
      groupVerdict(
        'Shared-base models make more consistent errors (higher κ) than scratch models',
        'mean pairwise κ',
        kFt,
        kSc,
        kTest,
      ),
      groupVerdict(
        'Shared-base models fail together more often (higher outcome homogenization H)',
        'mean pairwise H (k = 2)',
        hFt,
        hSc,
        hTest,
      ),
    ];
    const headline = {
      kappaSharedBase: num(kFt.estimate),
      kappaScratch: num(kSc.estimate),
      kappaP: kTest.pValue,
      hSharedBase: num(ohFt.value),
      hScratch: num(ohSc.value),
      h2SharedBase: num(hFt.estimate),
      h2Scratch: num(hSc.estimate),
      h2P: hTest.pValue,
      errorSharedBase: num(mean(ftIdx.map((i) => errs[i]))),
      errorScratch: num(mean(scIdx.map((i) => errs[i]))),
    };
    const runLabels = ids.map((id, i) => `${i < K ? 'ft' : 'sc'}${i < K ? i : i - K} (run-${id})`);
    const data = {
      baseExperimentId: base.experiment.id,
      baseRunId: parent.runId,
      parent,
      baseEvalAccuracy: num(baseEval),
      experimentId: expId,
      runIds: ids,
      groups,
      step,
      kappa,
      pairwiseH: h2,
      agreement: agreeM,
      kappaCi: { sharedBase: intervalJson(kFt), scratch: intervalJson(kSc) },
      pairwiseHCi: { sharedBase: intervalJson(hFt), scratch: intervalJson(hSc) },
      agreementCi: { sharedBase: intervalJson(aFt), scratch: intervalJson(aSc) },
      permutation: { kappa: kTest, pairwiseH: hTest, agreement: aTest },
      homogenization: { sharedBase: ohFt, scratch: ohSc, all: ohAll },
      finalNormCka:
        ckaFt && ckaSc ? { sharedBase: intervalJson(ckaFt), scratch: intervalJson(ckaSc) } : null,
      perRun,
      headline,
    };
    const bars = (
      what: string,
      a: ReturnType<typeof bootstrapPairwiseCI>,
      b: ReturnType<typeof bootstrapPairwiseCI>,
    ) =>
      [
        { label: `${FT}`, value: num(a.estimate), lo: num(a.lower), hi: num(a.upper) },
        { label: `${SC}`, value: num(b.estimate), lo: num(b.lower), hi: num(b.upper) },
      ].map((x) => ({ ...x, label: `${x.label} ${what}` }));
    const document = studyDocument(
      sharedBase,
      ctx,
      verdicts,
      [
        {
          heading: 'Homogenization within each group',
          blocks: [
            {
              kind: 'bar-chart',
              title: 'Mean pairwise error consistency κ (95% CI over models)',
              yLabel: 'κ',
              bars: bars('κ', kFt, kSc),
              references: [{ y: 0, label: 'chance (κ = 0)' }],
            },
            {
              kind: 'bar-chart',
              title: 'Mean pairwise outcome homogenization H (k = 2, 95% CI)',
              yLabel: 'H',
              bars: bars('H', hFt, hSc),
              references: [{ y: 1, label: 'independent failures (H = 1)' }],
            },
            {
              kind: 'table',
              columns: [
                'group',
                `H over all ${K} models`,
                'P(all fail)',
                'mean error rate',
                'mean κ',
                'mean pairwise H',
                'mean top-1 agreement',
              ],
              rows: [
                [
                  FT,
                  num(ohFt.value),
                  num(ohFt.allFail),
                  headline.errorSharedBase,
                  num(kFt.estimate),
                  num(hFt.estimate),
                  num(aFt.estimate),
                ],
                [
                  SC,
                  num(ohSc.value),
                  num(ohSc.allFail),
                  headline.errorScratch,
                  num(kSc.estimate),
                  num(hSc.estimate),
                  num(aSc.estimate),
                ],
              ],
            },
            {
              kind: 'table',
              caption:
                'Permutation tests (group labels of the 2K models permuted; statistic: shared-base minus scratch mean within-group value)',
              columns: ['measure', 'difference', 'p (two-sided)', 'method', 'relabellings'],
              rows: [
                ['κ', num(kTest.observed), kTest.pValue, kTest.method, kTest.permutations],
                ['pairwise H', num(hTest.observed), hTest.pValue, hTest.method, hTest.permutations],
                [
                  'top-1 agreement',
                  num(aTest.observed),
                  aTest.pValue,
                  aTest.method,
                  aTest.permutations,
                ],
              ],
            },
            {
              kind: 'heatmap',
              title: 'Error consistency κ between every pair of downstream models',
              rowLabels: runLabels,
              colLabels: runLabels,
              values: kappa as (number | null)[][],
              domain: [-0.2, 1],
            },
          ],
        },
        {
          heading: 'Runs',
          blocks: [
            {
              kind: 'text',
              text: `Base: run-${parent.runId} (exp-${base.experiment.id}), checkpoint at step ${parent.step}; final validation accuracy on its pretraining task ${baseEval === null ? 'n/a' : baseEval.toFixed(3)}. Fine-tune runs record it as their parent (variant.parent).`,
            },
            {
              kind: 'table',
              columns: ['run', 'name', 'group', 'probe error rate', 'eval loss'],
              rows: perRun.map((r) => [`run-${r.runId}`, r.name, r.group, r.errorRate, r.evalLoss]),
            },
            ...(ckaFt && ckaSc
              ? [
                  {
                    kind: 'text' as const,
                    text: `Representations (linear CKA at the final norm, within group): shared base ${intervalText(ckaFt)}, scratch ${intervalText(ckaSc)}.`,
                  },
                ]
              : []),
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
      runIds: [...ids, parent.runId],
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
