import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import { generate } from '../../../src/core/model/generate';
import { Transformer } from '../../../src/core/model/transformer';
import { TINY } from './helpers';

beforeAll(async () => {
  await initBackend('cpu');
});

it('generates greedily and by seeded sampling, per member, as the solo models do', async () => {
  const cfg = { ...TINY, initStd: 0.5 };
  const ens = new Transformer(cfg, [1, 2]);
  const solo = new Transformer(cfg, [2]);
  const prompt = [1, 2, 3];
  // 10 new tokens > contextLength 8: the window slides.
  const greedy = await generate(ens, prompt, { maxNewTokens: 10 });
  expect(greedy).toHaveLength(2);
  expect(greedy[0]).toHaveLength(10);
  expect(greedy.flat().every((t) => t >= 0 && t < 9)).toBe(true);
  expect(await generate(solo, prompt, { maxNewTokens: 10 })).toEqual([greedy[1]]);

  const a = await generate(ens, prompt, { maxNewTokens: 10, temperature: 1, seed: 7 });
  const b = await generate(ens, prompt, { maxNewTokens: 10, temperature: 1, seed: 7 });
  const c = await generate(ens, prompt, { maxNewTokens: 10, temperature: 1, seed: 8 });
  expect(a).toEqual(b);
  expect(a).not.toEqual(c);
  expect(await generate(solo, prompt, { maxNewTokens: 10, temperature: 1, seed: 7 })).toEqual([
    a[1],
  ]);
  const top1 = await generate(ens, prompt, { maxNewTokens: 10, temperature: 1, topK: 1, seed: 3 });
  expect(top1).toEqual(greedy);
  await expect(generate(ens, [99], { maxNewTokens: 1 })).rejects.toThrow(/outside the vocabulary/);
  ens.dispose();
  solo.dispose();
});
