/** getOptions: what the New-experiment form and the Similarity view can offer. */
import { APP_VERSION } from '../../core/version';
import { storeDiskUsage } from '../../../db/disk-usage';
import { DATASET_KINDS } from '../../core/data/spec';
import { PRESETS } from '../../experiments/spec/presets';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { CorpusError, loadCorpusFile } from '../../core/data/corpus-file';
import { basename, join } from 'node:path';
import type { Handlers } from '../dispatcher';
import { ApiFailure } from '../errors';
import type { LabContext } from '../lab-context';
import { measureInfos } from '../measure-info';
import type { DatasetInfo } from '../types';

const DATASET_TEXT: Record<string, string> = {
  modular: 'Modular arithmetic equations a∘b=c mod p (grokking-style).',
  pcfg: 'Sentences from a probabilistic context-free grammar.',
  dyck: 'Balanced bracket sequences (Dyck languages).',
  'copy-reverse': 'Copy or reverse a random string.',
  'text-file': 'Your own .txt or .jsonl corpus.',
};

const MODEL_FIELDS = [
  'contextLength',
  'dModel',
  'nHeads',
  'nLayers',
  'dFF',
  'positionalEncoding',
  'normPlacement',
  'normType',
  'activation',
  'tiedEmbeddings',
  'dropout',
  'initStd',
];
const TRAINING_FIELDS = [
  'steps',
  'batchSize',
  'lr',
  'warmupSteps',
  'schedule',
  'weightDecay',
  'gradClip',
];

export function optionHandlers(ctx: LabContext): Pick<Handlers, 'getOptions' | 'uploadCorpus'> {
  return {
    uploadCorpus: async ({ filename, content, base64 }) => {
      // Only a plain file name survives: the upload cannot choose where it is written.
      const name = basename(filename).replace(/[^\w.-]+/g, '_');
      if (!/\.(txt|jsonl|ndjson)$/i.test(name))
        throw new ApiFailure('invalid_input', 'A corpus must be a .txt, .jsonl or .ndjson file.', [
          { path: 'filename', message: 'expected .txt, .jsonl or .ndjson' },
        ]);
      const dir = join(ctx.dataDir, 'corpora');
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${Date.now()}-${name}`);
      const bytes =
        base64 !== undefined ? Buffer.from(base64, 'base64') : Buffer.from(content ?? '');
      writeFileSync(path, bytes);
      // The same checks, and so the same words, as `homolab run` gives for this file.
      try {
        await loadCorpusFile(path);
      } catch (err) {
        rmSync(path, { force: true });
        if (!(err instanceof CorpusError)) throw err;
        const message = err.message.replace(path, basename(filename));
        throw new ApiFailure('invalid_input', message, [{ path: 'filename', message }]);
      }
      return { path, bytes: bytes.length };
    },

    getOptions: () => ({
      datasets: DATASET_KINDS.map((k): DatasetInfo => ({
        id: k,
        name: k,
        kind: k === 'text-file' ? 'corpus' : 'synthetic',
        description: DATASET_TEXT[k] ?? '',
      })),
      tokenizers: [
        { id: 'char', name: 'Characters' },
        { id: 'bpe', name: 'Byte-level BPE' },
      ],
      presets: PRESETS.map((p) => ({
        id: p.id,
        name: p.name,
        description: p.description,
        specs: {
          tiny: p.spec('tiny') as Record<string, unknown>,
          full: p.spec('full') as Record<string, unknown>,
        },
      })),
      backends: [
        { id: 'wasm', available: true, reason: 'WebAssembly on every CPU' },
        { id: 'cpu', available: true, reason: 'plain JavaScript, slow' },
        {
          id: 'webgpu',
          available: true,
          reason: 'Dawn (D3D12/Metal/Vulkan); falls back if no adapter',
        },
        { id: 'tensorflow', available: true, reason: 'CUDA via tfjs-node-gpu, if installed' },
      ],
      measures: measureInfos(),
      axisFields: [
        'initSeed',
        'dataSeed',
        ...MODEL_FIELDS.map((f) => `model.${f}`),
        ...TRAINING_FIELDS.map((f) => `training.${f}`),
      ],
      version: APP_VERSION,
      backend: { ...ctx.backendStatus },
      host: ctx.host === 'electron' ? 'electron' : 'serve',
      storage: (({ storeBytes, freeBytes, warning }) => ({ storeBytes, freeBytes, warning }))(
        storeDiskUsage(ctx.store.path),
      ),
    }),
  };
}
