/**
 * Emergence: modular addition with a held-out split (Power et al.'s setup), K seeds. Held-out
 * *exact-match* accuracy (the whole answer right) over training locates a capability
 * transition per run, read at the checkpoints fixed by the design (pre-registered), with the
 * per-token log-likelihood beside it: a discontinuous metric can manufacture a jump that a
 * continuous one does not show (Schaeffer, Miranda & Koyejo 2023). Grokking — generalisation
 * long after memorisation — is claimed only when each run shows the memorisation plateau
 * (training loss near 0 while held-out exact match is still low). Cross-seed output agreement
 * is compared between a pre-registered early step (a quarter of training) and the end.
 */
import { measureEntry } from '../../core/similarity/catalogue';
import type { ExperimentSpecInput } from '../spec/spec';
import {
  differenceRange,
  matrixDifference,
  meanEstimate,
  pairwiseMean,
  subMatrix,
  type PairwiseEstimate,
} from '../stats';
import { analyze } from './analyze';
import { GPU, learnGates, learnedOf, seeds } from './common';
import { failedGates, type Gate, type LearnCriterion } from './gates';
import { heldOut, metricPoints, modelMatrix } from './read';
import { ci, num, studyDocument } from './report';
import { createAndTrain, phase } from './train';
import { findTransition, type Transition } from './transition';
import type {
  ExpectedTime,
  StudyContext,
  StudyDefinition,
  StudyResult,
  StudyScale,
  Verdict,
} from './types';
import { aboveVerdict } from './verdicts';

const ID = 'emergence';
const ARM = 'seeds';
/** A rise counts as sharp when its 10–90% width is at most this share of training. */
export const SHARP = 0.25;
/** Memorised: training loss below this. */
export const MEMORISED_LOSS = 0.1;
/** A memorisation plateau must last at least this share of training. */
export const PLATEAU = 0.2;

interface Design {
  seeds: number;
  p: number;
  trainFraction: number;
  model: NonNullable<ExperimentSpecInput['model']>;
  training: ExperimentSpecInput['training'];
  probeSize: number;
  learn: LearnCriterion;
  time: ExpectedTime;
}

export function emergenceDesign(scale: StudyScale): Design {
  // Every checkpoint is a pre-registered reading point: none may be pruned.
  const common = {
    schedule: 'constant' as const,
    weightDecay: 1,
    beta2: 0.98,
    evalBatches: 8,
    checkpointAtStart: true,
  };
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
          keepCheckpointEvery: 10,
          evalBatches: 2,
        },
        probeSize: 19,
        learn: { exactMatch: 0.9, minRuns: 2 },
        time: { cpu2: 1, laptop8: 0.5, gpu: 0.5, basis: 'test scale' },
      };
    case 'tiny':
      return {
        seeds: 3,
        p: 11,
        trainFraction: 0.5,
        model: { dModel: 24, nHeads: 2, nLayers: 1, dFF: 96 },
        training: {
          ...common,
          steps: 200,
          batchSize: 32,
          lr: 5e-3,
          warmupSteps: 10,
          evalEvery: 50,
          checkpointEvery: 50,
          keepCheckpointEvery: 50,
        },
        probeSize: 60,
        learn: { exactMatch: 0.9, minRuns: 3 },
        time: { cpu2: 3, laptop8: 1, gpu: 1, basis: 'measured on 2 cores (wasm)' },
      };
    case 'medium':
      return {
        seeds: 8,
        p: 23,
        trainFraction: 0.5,
        model: { dModel: 64, nHeads: 4, nLayers: 1, dFF: 256 },
        training: {
          ...common,
          steps: 3000,
          batchSize: 64,
          lr: 3e-3,
          warmupSteps: 10,
          evalEvery: 150,
          checkpointEvery: 250,
          keepCheckpointEvery: 250,
        },
        probeSize: 265,
        learn: { exactMatch: 0.7, minRuns: 6 },
        time: {
          cpu2: 6,
          laptop8: 2,
          gpu: 8,
          basis: `2 cores: measured, 5.3 min (wasm, 2 workers); 8-core laptop: 8 workers, scaled by cores; ${GPU}`,
        },
      };
    case 'full':
      return {
        seeds: 8,
        p: 97,
        trainFraction: 0.3,
        model: { dModel: 128, nHeads: 4, nLayers: 1, dFF: 512 },
        training: {
          ...common,
          steps: 20000,
          batchSize: 512,
          lr: 1e-3,
          warmupSteps: 100,
          evalEvery: 500,
          checkpointEvery: 1000,
          keepCheckpointEvery: 1000,
        },
        probeSize: 1024,
        learn: { exactMatch: 0.9, minRuns: 6 },
        time: { cpu2: 2000, laptop8: 500, gpu: 60, basis: 'scaled from medium by FLOPs' },
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
    axes: { grid: { initSeed: seeds(d.seeds) } },
    analysis: { measures: [], checkpoints: 'all', probeSize: d.probeSize },
  };
}

/**
 * The memorisation plateau of a run: from the first step whose training loss is below
 * `MEMORISED_LOSS` to the step where held-out exact match first reaches half its final level;
 * its length as a share of training (0 when generalisation came first).
 */
export function memorisationPlateau(
  trainLoss: readonly { step: number; value: number }[],
  exactMatch: readonly { step: number; value: number }[],
  total: number,
): { memorisedAt: number | null; generalisedAt: number | null; share: number } {
  const memorisedAt = trainLoss.find((p) => p.value < MEMORISED_LOSS)?.step ?? null;
  const end = exactMatch.at(-1)?.value ?? 0;
  const generalisedAt = exactMatch.find((p) => p.value >= end / 2 && end > 0)?.step ?? null;
  const share =
    memorisedAt === null || generalisedAt === null
      ? 0
      : Math.max(0, generalisedAt - memorisedAt) / total;
  return { memorisedAt, generalisedAt, share };
}

export const emergence: StudyDefinition = {
  id: ID,
  name: 'Emergence (modular addition, held-out pairs)',
  question:
    'When a capability appears — generalising modular addition to held-out pairs — is the rise sharp in exact match and also in per-token log-likelihood, does it come long after memorisation (grokking), and do independently initialised models become more alike as it appears?',
  expected:
    'Held-out accuracy rises sharply after a memorisation plateau (grokking, Power et al. 2022); a sharp rise in a discontinuous metric may be smooth in log-likelihood (Schaeffer et al. 2023); seeds learn similar algorithms (Nanda et al. 2023), though not always the same one (Zhong et al. 2023), so cross-seed output agreement rises.',
  references: [
    'Power, Burda, Edwards, Babuschkin & Misra, "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets", 2022',
    'Schaeffer, Miranda & Koyejo, "Are Emergent Abilities of Large Language Models a Mirage?", NeurIPS 2023',
    'Nanda, Chan, Lieberum, Smith & Steinhardt, "Progress measures for grokking via mechanistic interpretability", ICLR 2023',
    'Zhong, Liu, Tegmark & Andreas, "The Clock and the Pizza: Two Stories in Mechanistic Explanation of Neural Networks", NeurIPS 2023',
  ],
  describe(scale) {
    const d = emergenceDesign(scale);
    const t = d.training;
    return `a + b mod ${d.p}, ${Math.round(d.trainFraction * 100)}% of the ${d.p}² pairs for training, the rest held out; ${d.seeds} init seeds of a ${d.model.nLayers}-layer Transformer (d_model ${d.model.dModel}), AdamW (weight decay 1, constant lr), ${t.steps} steps, batch ${t.batchSize}. Pre-registered reading points: checkpoints at step 0 and every ${t.checkpointEvery} steps; "early" = the checkpoint nearest a quarter of training. Held-out exact match and per-token log-likelihood on ${d.probeSize} held-out equations at every checkpoint. Transition = where exact match crosses halfway from start to final plateau; sharp when its 10–90% width ≤ ${SHARP * 100}% of training. Grokking is claimed only with a memorisation plateau (training loss < ${MEMORISED_LOSS} for ≥ ${PLATEAU * 100}% of training before held-out exact match reaches half its final level). Learn gate: final held-out exact match ≥ ${d.learn.exactMatch}, ≥ ${d.learn.minRuns} learned seeds.`;
  },
  trainingSpecs: (scale) => [emergenceSpec(scale)],
  expectedTime: (scale) => emergenceDesign(scale).time,
  async run(ctx: StudyContext): Promise<StudyResult> {
    const t0 = performance.now();
    const d = emergenceDesign(ctx.scale);
    const { experiment, runs } = await createAndTrain(ctx, ID, emergenceSpec(ctx.scale));
    const expId = experiment.id;
    const ids = runs.map((r) => r.id);
    const a = await analyze(ctx, ID, expId, {
      measures: ['top1-agreement', 'jsd'],
      steps: 'all',
      heldOut: true,
    });
    phase(ctx, ID, 'report', 'building the report from the stored metrics and analyses');
    const steps = a.steps;
    const final = steps[steps.length - 1];
    const total = d.training.steps ?? final;
    const early = steps.reduce(
      (b, s) => (Math.abs(s - total / 4) < Math.abs(b - total / 4) ? s : b),
      steps[0],
    );
    const arms = ids.map(() => ARM);
    const gate = learnGates(ctx, expId, ids, arms, final, d.learn);
    const keep = learnedOf(gate, arms, ARM);
    const scores = steps.map((s) => ({ step: s, ...heldOut(ctx.store, expId, s, ids) }));

    const perRun = runs.map((r, i) => {
      const em = scores.map((s) => ({ step: s.step, value: s.exactMatch[i] }));
      const ll = scores.map((s) => ({ step: s.step, value: s.logLikelihood[i] }));
      const trainLoss = metricPoints(ctx.store, r.id, 'loss');
      const tr: Transition = findTransition(em);
      const trLl: Transition = findTransition(ll, { minRise: 0.5 });
      return {
        runId: r.id,
        seed: r.initSeed,
        learned: gate.learned[i],
        exactMatch: em,
        logLikelihood: ll,
        transition: tr,
        relativeWidth: tr.width === null ? null : tr.width / total,
        logLikelihoodTransition: trLl,
        logLikelihoodRelativeWidth: trLl.width === null ? null : trLl.width / total,
        plateau: memorisationPlateau(trainLoss, em, total),
        finalTrainLoss: num(trainLoss.at(-1)?.value),
      };
    });
    const learnedRuns = perRun.filter((p) => p.learned);
    const gates: Gate[] = [...gate.runGates, ...gate.armGates];
    // Runs that did not learn are left out; the verdicts rest on the arm keeping enough.
    const failed = failedGates(gate.armGates);

    // Verdict 1: a sharp rise in exact match in every learned run.
    const widths = learnedRuns.map((p) => p.relativeWidth);
    const llWidths = learnedRuns.map((p) => p.logLikelihoodRelativeWidth);
    const pct = (w: number | null) => (w === null ? '—' : `${Math.round(w * 100)}%`);
    const e1 =
      'Held-out exact match rises sharply (10–90% within a quarter of training) in every learned run';
    const ev1 = `10–90% widths of the exact-match rise: ${widths.map(pct).join(', ') || '—'}; of the log-likelihood rise: ${llWidths.map(pct).join(', ') || '—'} (Schaeffer et al.: a rise sharp in exact match but gradual in log-likelihood is partly the metric's).`;
    const v1: Verdict = failed
      ? { expectation: e1, status: 'inconclusive', evidence: `${ev1} ${failed}.` }
      : widths.every((w) => w !== null && w <= SHARP)
        ? { expectation: e1, status: 'reproduced', evidence: ev1 }
        : widths.every((w) => w === null || w > SHARP)
          ? { expectation: e1, status: 'not-reproduced', evidence: `${ev1} The rise is gradual.` }
          : {
              expectation: e1,
              status: 'inconclusive',
              evidence: `${ev1} Sharp in some runs only.`,
            };

    // Verdict 2: grokking, only with a memorisation plateau.
    const shares = learnedRuns.map((p) => p.plateau.share);
    const e2 = `Generalisation comes long after memorisation (grokking: a plateau ≥ ${PLATEAU * 100}% of training)`;
    const ev2 = `memorisation plateau per learned run (share of training between training loss < ${MEMORISED_LOSS} and half the final held-out exact match): ${shares.map((s) => `${Math.round(s * 100)}%`).join(', ') || '—'}.`;
    const plateauGate: Gate = {
      name: 'memorisation plateau (grokking setup)',
      arm: ARM,
      passed: shares.length > 0 && shares.every((s) => s >= PLATEAU),
      detail: ev2,
    };
    const v2: Verdict = failed
      ? { expectation: e2, status: 'inconclusive', evidence: `${ev2} ${failed}.` }
      : plateauGate.passed
        ? { expectation: e2, status: 'reproduced', evidence: ev2 }
        : shares.every((s) => s < PLATEAU / 4)
          ? {
              expectation: e2,
              status: 'not-reproduced',
              evidence: `${ev2} Memorisation and generalisation arrive together: this setup shows no grokking.`,
            }
          : {
              expectation: e2,
              status: 'inconclusive',
              evidence: `${ev2} No memorisation plateau in every run: grokking is not claimed.`,
            };

    // Verdict 3: agreement rises from the pre-registered early step to the end.
    const agree = (s: number) => modelMatrix(ctx.store, expId, 'top1-agreement', s, ids, 'output');
    // Cut to the range of what is estimated, as `homolab compare` cuts its intervals.
    const est = (
      m: (number | null)[][] | readonly (readonly (number | null)[])[],
      range: readonly [number, number] | null = null,
    ): PairwiseEstimate => pairwiseMean(subMatrix(m, keep), undefined, { range });
    const agreement = measureEntry('top1-agreement').range;
    const agreeChange = est(
      matrixDifference(agree(final), agree(early)),
      differenceRange(agreement),
    );
    const v3 = aboveVerdict(
      'Cross-seed output agreement rises from the pre-registered early step to the end',
      `top-1 agreement between learned seeds, step ${final} minus step ${early}`,
      agreeChange,
      0,
      gate.armGates,
    );
    const verdicts = [v1, v2, v3];
    const allGates = [...gates, plateauGate];
    const tSteps = meanEstimate(
      learnedRuns.flatMap((p) => (p.transition.step === null ? [] : [p.transition.step])),
    );
    const overSteps = steps.map((s, k) => ({
      step: s,
      agreement: est(agree(s), agreement).value,
      jsd: est(modelMatrix(ctx.store, expId, 'jsd', s, ids, 'output')).value,
      exactMatch: num(
        keep.reduce((acc, i) => acc + scores[k].exactMatch[i], 0) / Math.max(1, keep.length),
      ),
    }));
    const headline = {
      learnedRuns: keep.length,
      runs: ids.length,
      meanTransitionStep: tSteps.value,
      maxRelativeWidth: num(Math.max(...widths.map((w) => w ?? NaN))),
      earlyStep: early,
      agreementChange: agreeChange.value,
      finalExactMatch: num(gate.scores.exactMatch.reduce((s, v) => s + v, 0) / ids.length),
    };
    const data = {
      experimentId: expId,
      runIds: ids,
      steps,
      earlyStep: early,
      perRun,
      transitionStep: tSteps,
      agreementChange: agreeChange,
      overSteps,
      headline,
    };
    const document = studyDocument(
      emergence,
      ctx,
      verdicts,
      allGates,
      [
        {
          heading: 'Held-out exact match and log-likelihood over training',
          blocks: [
            {
              kind: 'line-chart',
              title: 'Held-out exact match per seed (dashed: transition steps)',
              xLabel: 'step',
              yLabel: 'exact match',
              yDomain: [0, 1],
              series: perRun.map((p) => ({
                name: `seed ${p.seed}`,
                points: p.exactMatch.map((q) => ({ x: q.step, y: q.value })),
              })),
              markers: perRun.flatMap((p) =>
                p.transition.step === null
                  ? []
                  : [{ x: p.transition.step, label: `seed ${p.seed}` }],
              ),
            },
            {
              kind: 'line-chart',
              title: 'Held-out per-token log-likelihood per seed (nats)',
              xLabel: 'step',
              yLabel: 'log-likelihood',
              series: perRun.map((p) => ({
                name: `seed ${p.seed}`,
                points: p.logLikelihood.map((q) => ({ x: q.step, y: q.value })),
              })),
            },
            {
              kind: 'table',
              columns: [
                'run',
                'seed',
                'learned',
                'transition step',
                'EM 10–90% width',
                'log-lik width',
                'memorised at',
                'plateau share',
                'final train loss',
              ],
              rows: perRun.map((p) => [
                `run-${p.runId}`,
                p.seed,
                p.learned ? 'yes' : 'no',
                num(p.transition.step),
                pct(p.relativeWidth),
                pct(p.logLikelihoodRelativeWidth),
                p.plateau.memorisedAt,
                `${Math.round(p.plateau.share * 100)}%`,
                p.finalTrainLoss,
              ]),
            },
          ],
        },
        {
          heading: 'Similarity between learned seeds over training',
          blocks: [
            {
              kind: 'line-chart',
              title: `Cross-seed agreement over training (pre-registered early step ${early})`,
              xLabel: 'step',
              yLabel: 'mean over learned seed pairs',
              yDomain: [0, 1],
              series: [
                {
                  name: 'top-1 agreement',
                  points: overSteps.map((o) => ({ x: o.step, y: o.agreement })),
                },
                {
                  name: 'mean exact match',
                  points: overSteps.map((o) => ({ x: o.step, y: o.exactMatch })),
                  dashed: true,
                },
              ],
              markers: [{ x: early, label: 'early (pre-registered)' }],
            },
            { kind: 'text', text: `Agreement change, final minus early: ${ci(agreeChange)}.` },
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
      gates: allGates,
      headline,
      document,
      ms: performance.now() - t0,
    };
  },
};
