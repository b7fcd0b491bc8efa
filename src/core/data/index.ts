/** Public API of the data layer: tokenizers, datasets, batching. */
export type { Batch, SerializedTokenizer, Tokenizer } from './types';
export { CharTokenizer, CHAR_PAD, CHAR_UNK, type UnknownCharPolicy } from './char-tokenizer';
export {
  BpeTokenizer,
  BPE_PAD,
  BPE_EOS,
  DEFAULT_BPE_SPECIALS,
  type BpeTrainConfig,
} from './bpe-tokenizer';
export { trainBpeMerges } from './bpe-train';
export { tokenizerFromJSON, serializedTokenizerSchema, TokenizerJsonError } from './tokenizer-json';
export {
  datasetSpecSchema,
  tokenizerSpecSchema,
  parseDatasetSpec,
  DatasetSpecError,
  DATASET_KINDS,
  type DatasetSpec,
  type DatasetSpecInput,
  type DatasetKind,
  type TokenizerSpec,
} from './spec';
export {
  buildDataset,
  buildTokenizer,
  type BuildOptions,
  type Dataset,
  type DatasetDescription,
  type DatasetStats,
} from './build-dataset';
export {
  type DataSource,
  type ExampleSource,
  type StreamSource,
  type TextExample,
  encodeExamples,
  encodeStream,
  exampleTokens,
  exampleAnswerMask,
} from './sources';
export { Batcher, type BatcherOptions, type BatchCursor } from './batcher';
export { batchHash, INITIAL_BATCH_HASH } from './batch-hash';
export { evalBatches, probeSet, type EvalBatchOptions } from './eval-sets';
export { unitCount } from './rows';
export { scoreAnswers, addScores, type AnswerScore } from './accuracy';
export { canonicalJson, datasetContentHash, DATASET_HASH_VERSION } from './content-hash';
export {
  loadCorpusFile,
  CorpusError,
  DEFAULT_MAX_CORPUS_BYTES,
  type CorpusErrorCode,
  type CorpusFormat,
  type LoadedCorpus,
} from './corpus-file';
export { DEFAULT_GRAMMAR, type Grammar } from './synthetic/pcfg';
export { applyModOp, modInverse, isPrime, type ModOp } from './synthetic/modular';
export { isBalanced, DYCK_PAIRS } from './synthetic/dyck';
