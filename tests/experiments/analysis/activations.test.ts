/**
 * Probe activations: each row is run only up to its last wanted position, in length-sorted
 * chunks (activations.ts). Because the model is causal the result must equal running every row
 * in full and picking the same positions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import { DEFAULT_MODEL, type ModelConfig } from '../../../src/core/model/config';
import { Rng } from '../../../src/core/rng';
import { initialWeights } from '../../../src/core/similarity/model';
import { probeActivations, stackedModel, type Probe } from '../../../src/experiments/analysis';

const cfg: ModelConfig = {
  ...DEFAULT_MODEL,
  vocabSize: 11,
  contextLength: 24,
  dModel: 16,
  nHeads: 2,
  nLayers: 2,
  dFF: 32,
};

beforeAll(async () => {
  await initBackend('wasm');
});

describe('probeActivations', () => {
  it('equals the full-length forward pass at the wanted positions (rows of mixed lengths)', async () => {
    const rng = new Rng(Math.floor(Math.random() * 2 ** 31));
    const B = 37;
    const T = cfg.contextLength;
    const pad = 0;
    const inputs = new Int32Array(B * T);
    const rep: number[] = [];
    const scored: number[] = [];
    for (let r = 0; r < B; r++) {
      const len = r % 9 === 4 ? 0 : 1 + rng.int(T); // some rows with nothing wanted
      for (let t = 0; t < len; t++) {
        inputs[r * T + t] = 1 + rng.int(cfg.vocabSize - 1);
        rep.push(r * T + t);
        if (t > 0 && rng.next() < 0.5) scored.push(r * T + t);
      }
    }
    const batch = {
      batchSize: B,
      contextLength: T,
      inputs,
      targets: inputs,
      weights: new Float32Array(B * T),
    };
    const probe = {
      batch,
      padId: pad,
      repPositions: Int32Array.from(rep),
      scoredPositions: Int32Array.from(scored),
    } as unknown as Probe;
    const weights = [initialWeights(cfg, 1), initialWeights(cfg, 2)];
    const got = await probeActivations(cfg, weights, probe, 5);

    const model = stackedModel(cfg, weights);
    const out = tf.tidy(() => {
      const f = model.forward(tf.tensor(inputs, [B, T], 'int32'), { hidden: true });
      return [f.logits, ...f.hidden!.map((h) => h.value)];
    });
    const names = ['embed', 'blocks.0', 'blocks.1', 'final_norm'];
    const data = out.map((t) => t.dataSync() as Float32Array);
    out.forEach((t) => t.dispose());
    model.dispose();
    for (let k = 0; k < 2; k++) {
      expect([...got[k].layers.keys()]).toEqual(names);
      names.forEach((name, li) => {
        const m = got[k].layers.get(name)!;
        expect([m.rows, m.cols]).toEqual([rep.length, cfg.dModel]);
        rep.forEach((p, i) => {
          for (let j = 0; j < cfg.dModel; j++)
            expect(m.data[i * cfg.dModel + j]).toBeCloseTo(
              data[li + 1][(k * B * T + p) * cfg.dModel + j],
              5,
            );
        });
      });
      const V = cfg.vocabSize;
      scored.forEach((p, i) => {
        for (let v = 0; v < V; v++)
          expect(got[k].logits.data[i * V + v]).toBeCloseTo(data[0][(k * B * T + p) * V + v], 5);
      });
    }
  });
});
