import { expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../../src/core/engine';
import { Transformer } from '../../../src/core/model/transformer';
import { Trainer } from '../../../src/core/train';
import { TINY } from '../model/helpers';
import { webgpuSkipReason } from '../engine/webgpu-env';
import { batches, rel } from './helpers';

const skip = await webgpuSkipReason();
if (skip) console.warn(`[webgpu training test skipped] ${skip}`);

async function run(backend: BackendName): Promise<number[][]> {
  await initBackend(backend);
  const model = new Transformer({ ...TINY, positionalEncoding: 'rope', dropout: 0.1 }, [1, 2]);
  const trainer = new Trainer(model, { learningRate: 3e-3, warmupSteps: 1, totalSteps: 10 });
  const out: number[][] = [];
  for (const b of batches(9, 5)) out.push((await trainer.trainStep(b)).losses);
  trainer.dispose();
  model.dispose();
  return out;
}

it.skipIf(skip !== null)(
  'webgpu training matches cpu losses to 1e-3 relative (lockstep, dropout)',
  async () => {
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    for (let s = 0; s < cpu.length; s++)
      for (let k = 0; k < 2; k++) expect(rel(gpu[s][k], cpu[s][k])).toBeLessThan(1e-3);
  },
);
