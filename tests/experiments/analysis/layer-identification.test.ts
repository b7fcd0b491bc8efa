/**
 * Kornblith et al. 2019's layer identification on our engine: train two seeds of a small model
 * on the same batches, then for each layer of seed A ask which layer of seed B is most similar
 * by linear CKA on a probe set. Most layers should pick their counterpart.
 *
 * The model is the seed article's block (post-norm, ReLU). In a pre-norm model the residual
 * stream after the first block is dominated by that block's large write and every later layer
 * looks alike (measured: CKA 0.40–0.45 between all block pairs), so identification is
 * ill-posed there; post-norm renormalises after every block and keeps layers distinct.
 */
import { expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import type { ModelConfig } from '../../../src/core/model/config';
import { Transformer } from '../../../src/core/model/transformer';
import { Rng } from '../../../src/core/rng';
import { memberWeights } from '../../../src/core/similarity/model';
import { copyTaskBatch, Trainer } from '../../../src/core/train';
import {
  probeActivations,
  RepresentationTables,
  type Probe,
} from '../../../src/experiments/analysis';

it('most layers of one seed are most similar to the same layer of another seed (linear CKA)', async () => {
  await initBackend('wasm');
  const cfg: ModelConfig = {
    vocabSize: 9,
    contextLength: 10,
    dModel: 48,
    nHeads: 4,
    nLayers: 3,
    dFF: 96,
    positionalEncoding: 'learned',
    normPlacement: 'post',
    normType: 'layernorm',
    activation: 'relu',
    tiedEmbeddings: false,
    dropout: 0,
    initStd: 0.02,
  };
  const task = { batchSize: 16, length: 5, symbols: 8, reverse: true };
  const model = new Transformer(cfg, [1, 2]);
  const steps = 100;
  const trainer = new Trainer(model, {
    learningRate: 2e-3,
    minLearningRate: 2e-4,
    warmupSteps: 10,
    totalSteps: steps,
    weightDecay: 0.01,
  });
  const rng = new Rng(5);
  let losses: number[] = [];
  for (let i = 0; i < steps; i++)
    losses = (await trainer.trainStep(copyTaskBatch(rng, task))).losses;
  expect(Math.max(...losses)).toBeLessThan(1.5); // both learned something (chance: ln 8 ≈ 2.1)
  const rec = await model.exportParams();
  trainer.dispose();
  model.dispose();

  const batch = copyTaskBatch(new Rng(77), { ...task, batchSize: 64 });
  const all = Int32Array.from({ length: batch.inputs.length }, (_, i) => i);
  const probe = { batch, padId: -1, repPositions: all, scoredPositions: all } as unknown as Probe;
  const acts = await probeActivations(cfg, [memberWeights(rec, 0), memberWeights(rec, 1)], probe);
  const lm = new RepresentationTables(acts, {}).layerMatrix('linear-cka', 0, 1);
  expect(lm.layersA).toEqual(['embed', 'blocks.0', 'blocks.1', 'blocks.2']);
  const argmax = (row: (number | null)[]) => row.indexOf(Math.max(...row.map((v) => v ?? -1)));
  const rows = lm.matrix.map(argmax);
  const cols = lm.layersB.map((_, j) => argmax(lm.matrix.map((r) => r[j])));
  const hits = rows.filter((j, i) => j === i).length + cols.filter((i, j) => i === j).length;
  // "Most": at least 3 of 4 layers in each direction on average.
  expect(hits, `rows → ${rows}, columns → ${cols}`).toBeGreaterThanOrEqual(6);
});
