/**
 * Seed convergence: K weight-init seeds of one architecture trained on identical batches. Do
 * independently initialised models learn the same representations? Layer-wise linear CKA across
 * seeds (with bootstrap intervals over seeds), Kornblith's layer-identification accuracy,
 * output agreement and JSD, all at every checkpoint.
 *
 * Expected (Kornblith et al. 2019, Fig. 3/5): cross-seed CKA is high near the input and falls
 * with depth; CKA identifies corresponding layers across seeds far above chance.
 */
import type { DatasetSpecInput } from '../../core/data/spec';
import type { ExperimentSpecInput } from '../spec/spec';
import { analyze } from './analyze';
import { layerMatrices, metricPoints, modelMatrix, storedLayers } from './read';
import { intervalJson, intervalText, num, studyDocument } from './report';
import { bootstrapPairwiseCI, meanOffDiagonal, spearman, type SquareMatrix } from './stats';
import { createAndTrain, phase } from './train';
import type { StudyContext, StudyDefinition, StudyResult, StudyScale, Verdict } from './types';

const ID = 'seed-convergence';

interface Design {
  seeds: number;
  dataset: DatasetSpecInput;
  model: ExperimentSpecInput['model'];
  training: ExperimentSpecInput['training'];
  probeSize: number;
}

export function seedConvergenceDesign(scale: StudyScale): Design {
  const data = (alphabetSize: number, minLength: number, maxLength: number, numTrain: number) =>
    ({
      kind: 'copy-reverse',
      mode: 'mixed',
      alphabetSize,
      minLength,
      maxLength,
      numTrain,
      numValidation: 512,
      seed: 0,
    }) as DatasetSpecInput;
  switch (scale) {
    case 'test':
      return {
        seeds: 3,
        dataset: { ...data(5, 2, 4, 256), numValidation: 64 } as DatasetSpecInput,
        model: { dModel: 16, nHeads: 2, nLayers: 2, dFF: 32, contextLength: 12 },
        training: {
          steps: 20,
          batchSize: 8,
          lr: 3e-3,
          warmupSteps: 2,
          evalEvery: 10,
          evalBatches: 1,
          checkpointEvery: 10,
        },
        probeSize: 24,
      };
    case 'tiny':
      return {
        seeds: 4,
        dataset: data(6, 2, 8, 4000),
        model: { dModel: 32, nHeads: 4, nLayers: 3, dFF: 128, contextLength: 24 },
        training: {
          steps: 300,
          batchSize: 16,
          lr: 3e-3,
          warmupSteps: 20,
          evalEvery: 75,
          evalBatches: 4,
          checkpointEvery: 75,
        },
        probeSize: 96,
      };
    case 'small':
      return {
        seeds: 5,
        dataset: data(10, 3, 10, 20000),
        model: { dModel: 48, nHeads: 4, nLayers: 4, dFF: 192, contextLength: 24 },
        training: {
          steps: 1000,
          batchSize: 16,
          lr: 2e-3,
          warmupSteps: 50,
          evalEvery: 200,
          evalBatches: 4,
          checkpointEvery: 200,
        },
        probeSize: 128,
      };
    case 'full':
      return {
        seeds: 8,
        dataset: data(20, 3, 30, 200000),
        model: { dModel: 256, nHeads: 8, nLayers: 6, dFF: 1024, contextLength: 64 },
        training: {
          steps: 10000,
          batchSize: 64,
          lr: 1e-3,
          warmupSteps: 500,
          evalEvery: 1000,
          evalBatches: 8,
          checkpointEvery: 1000,
        },
        probeSize: 256,
      };
  }
}

export function seedConvergenceSpec(scale: StudyScale): ExperimentSpecInput {
  const d = seedConvergenceDesign(scale);
  return {
    name: `Study: seed convergence (${scale})`,
    notes: `Created by \`homolab study ${ID} --scale ${scale}\`.`,
    dataset: d.dataset,
    model: d.model,
    training: d.training,
    axes: { grid: { initSeed: Array.from({ length: d.seeds }, (_, i) => i) } },
    analysis: {
      measures: ['linear-cka', 'top1-agreement', 'jsd'],
      checkpoints: 'all',
      probeSize: d.probeSize,
    },
  };
}

/**
 * Kornblith et al.'s layer identification for one model pair: the share of layers whose most
 * similar layer in the other model (by CKA) is their counterpart, both directions pooled.
 */
export function layerIdentification(m: readonly (readonly (number | null)[])[]): number {
  const L = Math.min(m.length, m[0]?.length ?? 0);
  let ok = 0;
  let n = 0;
  const argmax = (vals: (number | null)[]) => {
    let best = -1;
    let bv = -Infinity;
    vals.forEach((v, i) => {
      if (v !== null && v > bv) {
        bv = v;
        best = i;
      }
    });
    return best;
  };
  for (let i = 0; i < L; i++) {
    n += 2;
    if (argmax([...m[i]]) === i) ok++;
    if (argmax(m.map((r) => r[i])) === i) ok++;
  }
  return n ? ok / n : NaN;
}

const isBlock = (l: string) => /^blocks\.\d+$/.test(l);

export const seedConvergence: StudyDefinition = {
  id: ID,
  name: 'Seed convergence',
  question:
    'Do models of one architecture, trained on identical batches from different random initialisations, converge to the same internal representations and outputs — and at which depth?',
  expected:
    'Cross-seed linear CKA is high near the input and falls with depth (Kornblith et al. 2019); CKA identifies the corresponding layer of another seed far above chance.',
  references: [
    'Kornblith, Norouzi, Lee & Hinton, "Similarity of Neural Network Representations Revisited", ICML 2019',
  ],
  describe(scale) {
    const d = seedConvergenceDesign(scale);
    const m = d.model!;
    const t = d.training;
    return `${d.seeds} init seeds of one pre-norm Transformer (d_model ${m.dModel}, ${m.nLayers} layers, context ${m.contextLength}) trained in lockstep for ${t.steps} steps (batch ${t.batchSize}) on copy/reverse strings, checkpoints every ${t.checkpointEvery} steps; linear CKA per layer, layer × layer CKA per pair, top-1 agreement and JSD on ${d.probeSize} validation sequences at every checkpoint.`;
  },
  async run(ctx: StudyContext): Promise<StudyResult> {
    const t0 = performance.now();
    const seed = ctx.statsSeed ?? 0;
    const { experiment, runs } = await createAndTrain(ctx, ID, seedConvergenceSpec(ctx.scale));
    const expId = experiment.id;
    const ids = runs.map((r) => r.id);
    const a = await analyze(ctx, ID, expId, {
      measures: ['linear-cka', 'top1-agreement', 'jsd'],
      steps: 'all',
      layerMeasures: ['linear-cka'],
    });
    phase(ctx, ID, 'report', 'building the report from the stored analyses');
    const steps = a.steps;
    const final = steps[steps.length - 1];
    const layers = storedLayers(ctx.store, expId, 'linear-cka', final, ids);
    const blocks = layers.filter(isBlock);

    // Per layer, final step.
    const perLayer = layers.map((layer) => {
      const m = modelMatrix(ctx.store, expId, 'linear-cka', final, ids, layer);
      const off = offDiagonal(m);
      return {
        layer,
        ci: bootstrapPairwiseCI(m, { seed }),
        min: Math.min(...off),
        max: Math.max(...off),
      };
    });
    const blockMeans = blocks.map((l) => perLayer.find((p) => p.layer === l)!.ci.estimate);
    const depthRho = spearman(
      blocks.map((_, i) => i),
      blockMeans,
    );
    // First minus last block, per pair, resampled by seed.
    const first = modelMatrix(ctx.store, expId, 'linear-cka', final, ids, blocks[0]);
    const last = modelMatrix(ctx.store, expId, 'linear-cka', final, ids, blocks[blocks.length - 1]);
    const diff = first.map((r, i) =>
      r.map((v, j) => (v === null || last[i][j] === null ? null : v - last[i][j]!)),
    );
    const diffCi = bootstrapPairwiseCI(diff, { seed });

    // Layer identification, final step.
    const lm = layerMatrices(ctx.store, expId, 'linear-cka', final, ids);
    const idx = new Map(ids.map((id, i) => [id, i]));
    const idMatrix: (number | null)[][] = ids.map(() => ids.map(() => null));
    for (const row of lm) {
      const v = layerIdentification(row.matrix);
      const [i, j] = row.runIds.map((id) => idx.get(id)!);
      idMatrix[i][j] = idMatrix[j][i] = v;
    }
    const idCi = bootstrapPairwiseCI(idMatrix, { seed });
    const chance = 1 / layers.length;
    const meanLayerMatrix = layers.map((_, r) =>
      layers.map((_, c) => {
        const vals = lm
          .map((x) => x.matrix[r]?.[c])
          .filter((v): v is number => v !== null && v !== undefined);
        return vals.length ? vals.reduce((s, v) => s + v, 0) / vals.length : null;
      }),
    );

    // Outputs, final step.
    const agree = bootstrapPairwiseCI(
      modelMatrix(ctx.store, expId, 'top1-agreement', final, ids, 'output'),
      { seed },
    );
    const jsd = bootstrapPairwiseCI(modelMatrix(ctx.store, expId, 'jsd', final, ids, 'output'), {
      seed,
    });

    // Over training.
    const overSteps = steps.map((step) => ({
      step,
      cka: Object.fromEntries(
        layers.map((l) => [
          l,
          num(meanOffDiagonal(modelMatrix(ctx.store, expId, 'linear-cka', step, ids, l))),
        ]),
      ),
      agreement: num(
        meanOffDiagonal(modelMatrix(ctx.store, expId, 'top1-agreement', step, ids, 'output')),
      ),
      jsd: num(meanOffDiagonal(modelMatrix(ctx.store, expId, 'jsd', step, ids, 'output'))),
    }));
    const finalEval = runs.map((r) => {
      const pts = metricPoints(ctx.store, r.id, 'eval_loss');
      const acc = metricPoints(ctx.store, r.id, 'eval_accuracy');
      return {
        runId: r.id,
        name: r.name,
        evalLoss: num(pts.at(-1)?.value),
        evalAccuracy: num(acc.at(-1)?.value),
      };
    });

    const verdicts: Verdict[] = [
      depthVerdict(depthRho, diffCi, blocks),
      {
        expectation: 'CKA identifies the corresponding layer of another seed above chance',
        status:
          idCi.lower > chance
            ? 'reproduced'
            : idCi.upper <= chance
              ? 'not-reproduced'
              : 'inconclusive',
        evidence: `layer-identification accuracy ${intervalText(idCi)} over ${lm.length} seed pairs; chance ${chance.toFixed(3)} (1 / ${layers.length} layers).`,
      },
    ];
    const headline = {
      finalStep: final,
      firstBlockCka: num(perLayer.find((p) => p.layer === blocks[0])?.ci.estimate),
      lastBlockCka: num(perLayer.find((p) => p.layer === blocks[blocks.length - 1])?.ci.estimate),
      firstMinusLast: num(diffCi.estimate),
      depthSpearman: num(depthRho),
      layerIdentification: num(idCi.estimate),
      top1Agreement: num(agree.estimate),
      jsd: num(jsd.estimate),
    };
    const data = {
      experimentId: expId,
      runIds: ids,
      steps,
      layers,
      finalStep: final,
      perLayer: perLayer.map((p) => ({
        layer: p.layer,
        ci: intervalJson(p.ci),
        min: p.min,
        max: p.max,
      })),
      depthSpearman: num(depthRho),
      firstMinusLastBlock: intervalJson(diffCi),
      layerIdentification: { ci: intervalJson(idCi), chance, pairs: idMatrix },
      meanLayerMatrix,
      outputs: { top1Agreement: intervalJson(agree), jsd: intervalJson(jsd) },
      overSteps,
      finalEval,
      headline,
    };
    const document = studyDocument(
      seedConvergence,
      ctx,
      verdicts,
      [
        {
          heading: 'Similarity across seeds, by depth (final checkpoint)',
          blocks: [
            {
              kind: 'bar-chart',
              title: `Cross-seed linear CKA per layer, step ${final} (95% CI over seeds)`,
              yLabel: 'linear CKA',
              yDomain: [0, 1],
              bars: perLayer.map((p) => ({
                label: p.layer,
                value: num(p.ci.estimate),
                lo: num(p.ci.lower),
                hi: num(p.ci.upper),
              })),
            },
            {
              kind: 'table',
              columns: ['layer', 'mean CKA', '95% CI low', '95% CI high', 'min pair', 'max pair'],
              rows: perLayer.map((p) => [
                p.layer,
                num(p.ci.estimate),
                num(p.ci.lower),
                num(p.ci.upper),
                num(p.min),
                num(p.max),
              ]),
            },
            {
              kind: 'heatmap',
              title: 'Layer × layer CKA between seeds (mean over pairs)',
              rowLabels: layers,
              colLabels: layers,
              values: meanLayerMatrix,
              domain: [0, 1],
            },
          ],
        },
        {
          heading: 'Outputs (final checkpoint)',
          blocks: [
            {
              kind: 'key-values',
              items: [
                ['top-1 agreement (mean over pairs)', num(agree.estimate)],
                ['95% CI', `${intervalText(agree)}`],
                ['Jensen–Shannon divergence, bits (mean over pairs)', num(jsd.estimate)],
                ['95% CI', `${intervalText(jsd, 4)}`],
              ],
            },
            {
              kind: 'table',
              caption: 'Final validation loss and answer-token accuracy per run',
              columns: ['run', 'name', 'eval loss', 'eval accuracy'],
              rows: finalEval.map((f) => [`run-${f.runId}`, f.name, f.evalLoss, f.evalAccuracy]),
            },
          ],
        },
        {
          heading: 'Over training',
          blocks: [
            {
              kind: 'line-chart',
              title: 'Cross-seed linear CKA per layer over training',
              xLabel: 'step',
              yLabel: 'mean CKA over seed pairs',
              yDomain: [0, 1],
              series: layers.map((l) => ({
                name: l,
                points: overSteps.map((o) => ({ x: o.step, y: o.cka[l] })),
              })),
            },
            {
              kind: 'line-chart',
              title: 'Output agreement over training',
              xLabel: 'step',
              yLabel: 'top-1 agreement / JSD (bits)',
              series: [
                {
                  name: 'top-1 agreement',
                  points: overSteps.map((o) => ({ x: o.step, y: o.agreement })),
                },
                {
                  name: 'JSD',
                  points: overSteps.map((o) => ({ x: o.step, y: o.jsd })),
                  dashed: true,
                },
              ],
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

function offDiagonal(m: SquareMatrix): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.length; i++)
    for (let j = i + 1; j < m.length; j++) {
      const v = m[i][j];
      if (v !== null && Number.isFinite(v)) out.push(v);
    }
  return out;
}

function depthVerdict(
  rho: number,
  diff: ReturnType<typeof bootstrapPairwiseCI>,
  blocks: string[],
): Verdict {
  const expectation = 'Cross-seed CKA is highest near the input and falls with depth';
  const evidence = `first block (${blocks[0]}) minus last block (${blocks[blocks.length - 1]}) CKA: ${intervalText(diff)}; Spearman ρ(depth, mean CKA) over ${blocks.length} blocks = ${Number.isFinite(rho) ? rho.toFixed(2) : 'n/a'}.`;
  if (blocks.length < 2)
    return {
      expectation,
      status: 'inconclusive',
      evidence: `${evidence} Needs at least two blocks.`,
    };
  if (diff.lower > 0 && rho < 0) return { expectation, status: 'reproduced', evidence };
  if (diff.upper < 0)
    return {
      expectation,
      status: 'not-reproduced',
      evidence: `${evidence} Similarity rises with depth here.`,
    };
  return {
    expectation,
    status: 'inconclusive',
    evidence: `${evidence} The interval includes 0 or the trend is not monotone.`,
  };
}
