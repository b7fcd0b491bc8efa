/**
 * `buildDataset(spec)`: the single entry point from a JSON dataset spec to tokenized data.
 *
 * Tokenizer vocabulary: a char tokenizer's vocabulary is every character of both splits (the
 * character *set* is not a leak, and it avoids `<unk>` in validation); a BPE tokenizer is
 * trained on the training split only. Synthetic example sets are encoded prompt/answer
 * separately (see `encodeExamples`); streams (PCFG, user files) as one text per split.
 */
import { isAbsolute, resolve } from 'node:path';
import { BpeTokenizer } from './bpe-tokenizer';
import { CharTokenizer } from './char-tokenizer';
import { datasetContentHash } from './content-hash';
import { loadCorpusFile } from './corpus-file';
import { splitCorpus } from './corpus-split';
import type { DataSource, TextExample } from './sources';
import { encodeExamples, encodeStream } from './sources';
import { parseDatasetSpec, type DatasetSpec, type TokenizerSpec } from './spec';
import { copyReverseExamples } from './synthetic/copy-reverse';
import { dyckExamples } from './synthetic/dyck';
import { modularExamples } from './synthetic/modular';
import { pcfgCorpus } from './synthetic/pcfg';
import type { SerializedTokenizer, Tokenizer } from './types';

export interface BuildOptions {
  /** Directory that relative `text-file` paths resolve against (default: the process cwd). */
  baseDir?: string;
  /** Largest user corpus file accepted, bytes (default 256 MiB, `DEFAULT_MAX_CORPUS_BYTES`). */
  maxFileBytes?: number;
}

export interface DatasetStats {
  trainTokens: number;
  validationTokens: number;
  /** Example counts (synthetic example tasks only). */
  trainExamples?: number;
  validationExamples?: number;
  /** User files only. */
  fileBytes?: number;
  fileSha256?: string;
}

/** What the store persists about a dataset (JSON-serialisable). */
export interface DatasetDescription {
  kind: DatasetSpec['kind'];
  /** The full parsed spec (kind included, defaults filled). */
  spec: DatasetSpec;
  contentHash: string;
  tokenizer: SerializedTokenizer;
  vocabSize: number;
  stats: DatasetStats;
}

export interface Dataset {
  spec: DatasetSpec;
  tokenizer: Tokenizer;
  vocabSize: number;
  padId: number;
  train: DataSource;
  validation: DataSource;
  /** Smallest contextLength whose rows hold every example of both splits (1 for streams). */
  minContextLength: number;
  contentHash: string;
  description: DatasetDescription;
}

/** Validates `spec` (see `parseDatasetSpec`), generates or loads the data and tokenizes it. */
export async function buildDataset(spec: unknown, opts: BuildOptions = {}): Promise<Dataset> {
  const parsed = parseDatasetSpec(spec);
  let texts:
    | { kind: 'examples'; train: TextExample[]; validation: TextExample[] }
    | { kind: 'stream'; train: string; validation: string };
  let fileStats: { fileBytes: number; fileSha256: string } | undefined;
  switch (parsed.kind) {
    case 'modular':
      texts = { kind: 'examples', ...modularExamples(parsed) };
      break;
    case 'copy-reverse':
      texts = { kind: 'examples', ...copyReverseExamples(parsed) };
      break;
    case 'dyck':
      texts = { kind: 'examples', ...dyckExamples(parsed) };
      break;
    case 'pcfg':
      texts = { kind: 'stream', ...pcfgCorpus(parsed) };
      break;
    case 'text-file': {
      const path = isAbsolute(parsed.path)
        ? parsed.path
        : resolve(opts.baseDir ?? process.cwd(), parsed.path);
      const corpus = await loadCorpusFile(path, {
        format: parsed.format,
        maxBytes: opts.maxFileBytes,
        textField: parsed.textField,
      });
      const split = splitCorpus(corpus.documents, parsed.validationFraction, parsed.splitSeed);
      if (split.train.trim() === '' || split.validation.trim() === '')
        throw new Error(
          `${path}: too little text to split off a validation fraction of ${parsed.validationFraction}; add more text or change validationFraction`,
        );
      texts = { kind: 'stream', ...split };
      fileStats = { fileBytes: corpus.bytes, fileSha256: corpus.sha256 };
      break;
    }
  }

  const trainTexts =
    texts.kind === 'examples' ? texts.train.map((e) => e.prompt + e.answer) : [texts.train];
  const validationTexts =
    texts.kind === 'examples'
      ? texts.validation.map((e) => e.prompt + e.answer)
      : [texts.validation];
  const tokenizer = buildTokenizer(parsed.tokenizer, trainTexts, validationTexts);

  let train: DataSource;
  let validation: DataSource;
  if (texts.kind === 'examples') {
    train = encodeExamples(texts.train, tokenizer);
    validation = encodeExamples(texts.validation, tokenizer);
  } else {
    train = encodeStream(texts.train, tokenizer);
    validation = encodeStream(texts.validation, tokenizer);
  }
  const tokenizerJson = tokenizer.toJSON();
  const contentHash = datasetContentHash({
    spec: parsed as unknown as Record<string, unknown>,
    tokenizer: tokenizerJson,
    train,
    validation,
    fileSha256: fileStats?.fileSha256,
  });
  const stats: DatasetStats = {
    trainTokens: train.tokens.length,
    validationTokens: validation.tokens.length,
    ...(train.kind === 'examples' && validation.kind === 'examples'
      ? { trainExamples: train.count, validationExamples: validation.count }
      : {}),
    ...fileStats,
  };
  const minContextLength =
    train.kind === 'examples' && validation.kind === 'examples'
      ? Math.max(1, train.maxLength - 1, validation.maxLength - 1)
      : 1;
  return {
    spec: parsed,
    tokenizer,
    vocabSize: tokenizer.vocabSize,
    padId: tokenizer.padId,
    train,
    validation,
    minContextLength,
    contentHash,
    description: {
      kind: parsed.kind,
      spec: parsed,
      contentHash,
      tokenizer: tokenizerJson,
      vocabSize: tokenizer.vocabSize,
      stats,
    },
  };
}

/** Builds the tokenizer a spec asks for from the split texts. */
export function buildTokenizer(
  spec: TokenizerSpec,
  trainTexts: string[],
  validationTexts: string[],
): Tokenizer {
  if (spec.kind === 'char')
    return CharTokenizer.fromTexts([...trainTexts, ...validationTexts], spec.unknown);
  return BpeTokenizer.train(trainTexts, {
    vocabSize: spec.vocabSize,
    minFrequency: spec.minFrequency,
  });
}
