import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/engine';
import { countParams, paramSpecs, Transformer } from '../../../src/core/model/transformer';
import { ARTICLE_MODEL } from '../../../src/core/model/config';
import { TINY } from './helpers';

const ids = (rows: number[][]) => tf.tensor(rows.flat(), [rows.length, rows[0].length], 'int32');

describe('Transformer', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('names and shapes its parameters as documented, stacked over K', () => {
    const m = new Transformer(TINY, [1, 2, 3]);
    const names = Object.keys(m.params);
    expect(names.slice(0, 4)).toEqual(['tok_emb', 'pos_emb', 'blocks.0.ln1.g', 'blocks.0.ln1.b']);
    expect(m.params['blocks.1.attn.wq'].shape).toEqual([3, 16, 16]);
    expect(m.params['blocks.0.mlp.w1'].shape).toEqual([3, 16, 32]);
    expect(m.params['head.w'].shape).toEqual([3, 16, 9]);
    expect(names).toContain('ln_f.g');
    const post = paramSpecs({
      ...TINY,
      normPlacement: 'post',
      tiedEmbeddings: true,
      normType: 'rmsnorm',
    });
    const postNames = post.map((s) => s.name);
    expect(postNames).not.toContain('ln_f.g');
    expect(postNames).not.toContain('head.w');
    expect(postNames).not.toContain('blocks.0.ln1.b');
    // The article model: 6 × (4·512² + 2·512·2048 + biases/norms) + embeddings.
    const article = { ...ARTICLE_MODEL, vocabSize: 100, contextLength: 64 };
    expect(countParams(article)).toBe(
      100 * 512 +
        6 * (4 * (512 * 512 + 512) + 2 * 512 * 2048 + 2048 + 512 + 4 * 512) +
        512 * 100 +
        100,
    );
    m.dispose();
  });

  it('returns logits [K,B,T,V] and every hidden state [K,B,T,d]', () => {
    const m = new Transformer(TINY, [1, 2]);
    tf.tidy(() => {
      const out = m.forward(
        ids([
          [1, 2, 3, 4, 5],
          [5, 4, 3, 2, 1],
        ]),
        { hidden: true },
      );
      expect(out.logits.shape).toEqual([2, 2, 5, 9]);
      expect(out.hidden!.map((h) => h.name)).toEqual([
        'embed',
        'blocks.0',
        'blocks.1',
        'final_norm',
      ]);
      for (const h of out.hidden!) expect(h.value.shape).toEqual([2, 2, 5, 16]);
    });
    const post = new Transformer({ ...TINY, normPlacement: 'post' }, [1]);
    tf.tidy(() => {
      const out = post.forward(ids([[1, 2, 3]]), { hidden: true });
      expect(out.hidden!.map((h) => h.name)).toEqual(['embed', 'blocks.0', 'blocks.1']);
    });
    m.dispose();
    post.dispose();
  });

  it.each(['learned', 'sinusoidal', 'rope', 'none'] as const)(
    'is causal (%s): a later token never changes earlier logits',
    (pe) => {
      const m = new Transformer({ ...TINY, positionalEncoding: pe, initStd: 0.3 }, [7]);
      const [a, b] = tf.tidy(() => [
        m.forward(ids([[1, 2, 3, 4, 5, 6]])).logits.arraySync() as number[][][][],
        m.forward(ids([[1, 2, 3, 8, 0, 7]])).logits.arraySync() as number[][][][],
      ]);
      for (let t = 0; t < 3; t++)
        for (let v = 0; v < 9; v++) expect(a[0][0][t][v]).toBeCloseTo(b[0][0][t][v], 5);
      expect(a[0][0][4]).not.toEqual(b[0][0][4]);
      m.dispose();
    },
  );

  it('member k of an ensemble computes exactly what a solo model with seed k computes', async () => {
    const seeds = [11, 12, 13];
    const ens = new Transformer({ ...TINY, positionalEncoding: 'rope' }, seeds);
    const input = ids([
      [1, 2, 3, 4],
      [4, 3, 2, 1],
    ]);
    const all = (await ens.forward(input).logits.array()) as number[][][][];
    for (let k = 0; k < seeds.length; k++) {
      const solo = new Transformer({ ...TINY, positionalEncoding: 'rope' }, [seeds[k]]);
      const one = (await solo.forward(input).logits.array()) as number[][][][];
      expect(one[0]).toEqual(all[k]);
      solo.dispose();
    }
    // Per-member inputs [K,B,T]: member k sees its own sequences.
    const per = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3], [3, 1, 4], 'int32');
    const perOut = (await ens.forward(per).logits.array()) as number[][][][];
    const solo2 = new Transformer({ ...TINY, positionalEncoding: 'rope' }, [seeds[2]]);
    const one2 = (await solo2.forward(ids([[0, 1, 2, 3]])).logits.array()) as number[][][][];
    expect(one2[0]).toEqual(perOut[2]);
    tf.dispose(input);
    ens.dispose();
    solo2.dispose();
  });

  it('initialises from seeds: same seed same weights, different seed different', async () => {
    const a = new Transformer(TINY, [5]);
    const b = new Transformer(TINY, [5]);
    const c = new Transformer(TINY, [6]);
    const ea = await a.exportParams();
    const eb = await b.exportParams();
    const ec = await c.exportParams();
    expect(ea.tensors['blocks.0.attn.wq']).toEqual(eb.tensors['blocks.0.attn.wq']);
    expect(ea.tensors['blocks.0.attn.wq']).not.toEqual(ec.tensors['blocks.0.attn.wq']);
    // Round trip through plain arrays.
    c.loadParams(ea);
    expect((await c.exportParams()).tensors).toEqual(ea.tensors);
    expect(() => c.loadParams({ tensors: {}, shapes: {} })).toThrow(/missing parameter 'tok_emb'/);
    for (const m of [a, b, c]) m.dispose();
  });

  it('rejects invalid inputs and configs with clear messages', () => {
    expect(() => new Transformer({ ...TINY, nHeads: 3 }, [1])).toThrow(/divisible/);
    const m = new Transformer(TINY, [1, 2]);
    expect(() => m.forward(tf.zeros([1, 9], 'int32'))).toThrow(/exceeds contextLength 8/);
    expect(() => m.forward(tf.zeros([3, 1, 4], 'int32'))).toThrow(/\[K=2,B,T\]/);
    expect(() => m.forward(tf.zeros([1, 4], 'float32'))).toThrow(/int32/);
    m.dispose();
  });
});
