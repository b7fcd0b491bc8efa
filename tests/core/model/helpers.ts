import type { ModelConfig } from '../../../src/core/model/config';

/** A model small enough for finite differences and many-step tests on 2 cores. */
export const TINY: ModelConfig = {
  vocabSize: 9,
  contextLength: 8,
  dModel: 16,
  nHeads: 2,
  nLayers: 2,
  dFF: 32,
  positionalEncoding: 'learned',
  normPlacement: 'pre',
  normType: 'layernorm',
  activation: 'gelu',
  tiedEmbeddings: false,
  dropout: 0,
  initStd: 0.02,
};

/** One variant per value of every architectural axis (plus the seed article's combination). */
export const AXIS_VARIANTS: { name: string; cfg: ModelConfig }[] = [
  { name: 'base (learned, pre, layernorm, gelu)', cfg: TINY },
  { name: 'sinusoidal', cfg: { ...TINY, positionalEncoding: 'sinusoidal' } },
  { name: 'rope', cfg: { ...TINY, positionalEncoding: 'rope' } },
  { name: 'no positional encoding', cfg: { ...TINY, positionalEncoding: 'none' } },
  { name: 'post-norm', cfg: { ...TINY, normPlacement: 'post' } },
  { name: 'rmsnorm', cfg: { ...TINY, normType: 'rmsnorm' } },
  { name: 'relu', cfg: { ...TINY, activation: 'relu' } },
  { name: 'tied embeddings', cfg: { ...TINY, tiedEmbeddings: true } },
  { name: 'dropout', cfg: { ...TINY, dropout: 0.1 } },
  { name: 'init std 0.1', cfg: { ...TINY, initStd: 0.1 } },
  {
    name: 'article (post, relu, none, dropout)',
    cfg: {
      ...TINY,
      normPlacement: 'post',
      activation: 'relu',
      positionalEncoding: 'none',
      dropout: 0.1,
    },
  },
];
