/**
 * The Transformer language model's configuration: every architectural axis an experiment can
 * vary. Defaults describe a small modern pre-norm GELU decoder; `ARTICLE_MODEL` is the seed
 * article's model (PyTorch `nn.TransformerEncoderLayer` defaults, used as a causal LM).
 */
export type PositionalEncoding = 'learned' | 'sinusoidal' | 'rope' | 'none';
export type NormPlacement = 'pre' | 'post';
export type NormType = 'layernorm' | 'rmsnorm';
export type Activation = 'relu' | 'gelu';

export interface ModelConfig {
  /** Number of token ids (tokenizer vocabulary size). */
  vocabSize: number;
  /** Maximum sequence length T the model attends over. */
  contextLength: number;
  /** Residual stream width d. Must be divisible by `nHeads`. */
  dModel: number;
  /** Attention heads per layer; head size is dModel / nHeads. */
  nHeads: number;
  /** Number of Transformer blocks. */
  nLayers: number;
  /** Hidden width of each block's MLP. */
  dFF: number;
  positionalEncoding: PositionalEncoding;
  /** `pre`: x + f(norm(x)) (GPT-2 style); `post`: norm(x + f(x)) (original Transformer, PyTorch default). */
  normPlacement: NormPlacement;
  normType: NormType;
  activation: Activation;
  /** Share the token embedding with the output projection (logits = h · Eᵀ). */
  tiedEmbeddings: boolean;
  /** Dropout probability on attention weights, residual branches and embeddings. */
  dropout: number;
  /** Standard deviation of the normal init of weight matrices and embeddings. */
  initStd: number;
}

export const DEFAULT_MODEL: ModelConfig = {
  vocabSize: 64,
  contextLength: 32,
  dModel: 64,
  nHeads: 4,
  nLayers: 2,
  dFF: 256,
  positionalEncoding: 'learned',
  normPlacement: 'pre',
  normType: 'layernorm',
  activation: 'gelu',
  tiedEmbeddings: false,
  dropout: 0,
  initStd: 0.02,
};

/**
 * The seed article's model: nn.Embedding → nn.TransformerEncoderLayer(d, heads) × L →
 * nn.Linear. PyTorch defaults: post-norm, ReLU, d_ff 2048, dropout 0.1. The article's code has
 * no positional encoding; we keep that (`none`) and make it an explicit axis to vary.
 */
export const ARTICLE_MODEL: Omit<ModelConfig, 'vocabSize' | 'contextLength'> = {
  dModel: 512,
  nHeads: 8,
  nLayers: 6,
  dFF: 2048,
  positionalEncoding: 'none',
  normPlacement: 'post',
  normType: 'layernorm',
  activation: 'relu',
  tiedEmbeddings: false,
  dropout: 0.1,
  initStd: 0.02,
};

/** Throws a message naming the field if the config cannot describe a valid model. */
export function validateModelConfig(c: ModelConfig): void {
  const posInt = (name: keyof ModelConfig) => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new Error(`model.${name} must be a positive integer, got ${String(v)}`);
  };
  for (const k of ['vocabSize', 'contextLength', 'dModel', 'nHeads', 'nLayers', 'dFF'] as const)
    posInt(k);
  if (c.dModel % c.nHeads !== 0)
    throw new Error(`model.dModel (${c.dModel}) must be divisible by model.nHeads (${c.nHeads})`);
  if (c.positionalEncoding === 'rope' && (c.dModel / c.nHeads) % 2 !== 0)
    throw new Error(
      `model.positionalEncoding 'rope' needs an even head size, got ${c.dModel / c.nHeads}`,
    );
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new Error(`model.dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.initStd > 0 && Number.isFinite(c.initStd)))
    throw new Error(`model.initStd must be a positive finite number, got ${c.initStd}`);
}
