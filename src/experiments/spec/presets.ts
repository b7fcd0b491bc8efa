/**
 * Built-in experiment presets: the standard homogenization studies, each as a complete spec.
 * Every preset has a `tiny` size (a few thousand parameters, tens of steps: seconds on wasm)
 * used by tests and for a quick look, and a `full` size for real studies.
 */
import { ARTICLE_MODEL, DEFAULT_MODEL } from '../../core/model/config';
import { defaultDatasetSpec } from './dataset-adapter';
import type { ExperimentSpecInput } from './spec';

export type PresetSize = 'tiny' | 'full';

export interface Preset {
  id: string;
  name: string;
  description: string;
  /** A complete spec for this preset at the given size. */
  spec(size?: PresetSize): ExperimentSpecInput;
}

/** Shared base: the lab's small pre-norm GELU model, or a very small one for `tiny`. */
function base(size: PresetSize, name: string): ExperimentSpecInput {
  const tiny = size === 'tiny';
  return {
    name,
    dataset: defaultDatasetSpec(size),
    model: tiny
      ? { contextLength: 8, dModel: 16, nHeads: 2, nLayers: 1, dFF: 32 }
      : {
          contextLength: DEFAULT_MODEL.contextLength,
          dModel: DEFAULT_MODEL.dModel,
          nHeads: DEFAULT_MODEL.nHeads,
          nLayers: DEFAULT_MODEL.nLayers,
          dFF: DEFAULT_MODEL.dFF,
        },
    training: tiny
      ? {
          steps: 12,
          batchSize: 4,
          lr: 3e-3,
          warmupSteps: 2,
          evalEvery: 6,
          evalBatches: 1,
          checkpointEvery: 6,
        }
      : {
          steps: 2000,
          batchSize: 16,
          lr: 1e-3,
          warmupSteps: 100,
          evalEvery: 200,
          checkpointEvery: 500,
        },
    analysis: tiny
      ? { measures: ['linear-cka', 'top1-agreement', 'jsd'], probeSize: 16 }
      : {
          measures: [
            'linear-cka',
            'debiased-cka',
            'procrustes',
            'mutual-knn',
            'top1-agreement',
            'jsd',
            'error-consistency',
            'outcome-homogenization',
          ],
          checkpoints: 'all',
          probeSize: 512,
        },
  };
}

const seeds = (size: PresetSize, full: number, tiny: number) =>
  Array.from({ length: size === 'tiny' ? tiny : full }, (_, i) => i);

export const PRESETS: readonly Preset[] = [
  {
    id: 'seed-sweep',
    name: 'Seed sweep',
    description:
      'One architecture, K weight-init seeds, identical batches: how alike do independently initialised models become? Trained in lockstep.',
    spec: (size = 'full') => ({
      ...base(size, 'Seed sweep'),
      axes: { grid: { initSeed: seeds(size, 8, 3) } },
    }),
  },
  {
    id: 'width-sweep',
    name: 'Width sweep',
    description: 'd_model (with d_ff = 4·d_model) across widths, two seeds each.',
    spec: (size = 'full') => ({
      ...base(size, 'Width sweep'),
      axes: {
        list: (size === 'tiny' ? [8, 16] : [32, 64, 128, 256]).map((d) => ({
          'model.dModel': d,
          'model.dFF': 4 * d,
        })),
        grid: { initSeed: seeds(size, 2, 1) },
      },
    }),
  },
  {
    id: 'depth-sweep',
    name: 'Depth sweep',
    description: 'Number of layers, two seeds each.',
    spec: (size = 'full') => ({
      ...base(size, 'Depth sweep'),
      axes: {
        grid: {
          'model.nLayers': size === 'tiny' ? [1, 2] : [1, 2, 4, 6],
          initSeed: seeds(size, 2, 1),
        },
      },
    }),
  },
  {
    id: 'positional-encodings',
    name: 'Positional encodings',
    description: 'learned vs sinusoidal vs RoPE vs none (causal mask only), two seeds each.',
    spec: (size = 'full') => ({
      ...base(size, 'Positional encodings'),
      axes: {
        grid: {
          'model.positionalEncoding': ['learned', 'sinusoidal', 'rope', 'none'],
          initSeed: seeds(size, 2, 1),
        },
      },
    }),
  },
  {
    id: 'norm-placement',
    name: 'Norm placement',
    description: 'Pre-norm (GPT-2) vs post-norm (original Transformer), LayerNorm vs RMSNorm.',
    spec: (size = 'full') => ({
      ...base(size, 'Norm placement'),
      axes: {
        grid: {
          'model.normPlacement': ['pre', 'post'],
          'model.normType': size === 'tiny' ? ['layernorm'] : ['layernorm', 'rmsnorm'],
          initSeed: seeds(size, 2, 1),
        },
      },
    }),
  },
  {
    id: 'article-vs-modern',
    name: "Seed article's model vs modern",
    description:
      "The seed article's model (PyTorch TransformerEncoderLayer defaults: post-norm, ReLU, d_ff 2048, dropout 0.1, no positional encoding, causal mask) vs a modern pre-norm GELU model with learned positions and no dropout, same width and depth.",
    spec: (size = 'full') => {
      const b = base(size, "Seed article's model vs modern");
      const tiny = size === 'tiny';
      const article = {
        'model.normPlacement': ARTICLE_MODEL.normPlacement,
        'model.activation': ARTICLE_MODEL.activation,
        'model.positionalEncoding': ARTICLE_MODEL.positionalEncoding,
        'model.dFF': tiny ? 64 : ARTICLE_MODEL.dFF,
        'model.dropout': ARTICLE_MODEL.dropout,
      };
      const modern = {
        'model.normPlacement': 'pre',
        'model.activation': 'gelu',
        'model.positionalEncoding': 'learned',
        'model.dFF': tiny ? 64 : 4 * ARTICLE_MODEL.dModel,
        'model.dropout': 0,
      };
      return {
        ...b,
        model: tiny
          ? b.model
          : {
              ...b.model,
              dModel: ARTICLE_MODEL.dModel,
              nHeads: ARTICLE_MODEL.nHeads,
              nLayers: ARTICLE_MODEL.nLayers,
              contextLength: 128,
            },
        training: tiny ? b.training : { ...b.training, lr: 3e-4, batchSize: 32 },
        axes: { list: [article, modern], grid: { initSeed: seeds(size, 2, 1) } },
      };
    },
  },
];

/** The preset with this id; throws naming the known ids otherwise. */
export function getPreset(id: string): Preset {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`unknown preset '${id}'; known: ${PRESETS.map((x) => x.id).join(', ')}`);
  return p;
}
