/**
 * A 200 MB corpus through the dataset builder (what `homolab run` and the training worker do
 * with a text-file dataset): time, peak RSS and heap, and that the ids are typed arrays.
 *   npx tsx bench/large-corpus.ts [MB=200] [char|bpe]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataset } from '../src/core/data/build-dataset';
import { writeParagraphCorpus } from './large-corpus-text';

const mb = Number(process.argv[2] ?? 200);
const kind = process.argv[3] === 'bpe' ? 'bpe' : 'char';
const dir = mkdtempSync(join(tmpdir(), 'homolab-corpus-'));
const file = join(dir, 'corpus.txt');
let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
try {
  let t = performance.now();
  writeParagraphCorpus(file, mb * 1024 * 1024, 1);
  console.log(`wrote ${mb} MB in ${Math.round(performance.now() - t)} ms`);
  t = performance.now();
  const ds = await buildDataset({
    kind: 'text-file',
    path: file,
    tokenizer: kind === 'bpe' ? { kind: 'bpe', vocabSize: 1024 } : { kind: 'char' },
  });
  const ms = performance.now() - t;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const m = process.memoryUsage();
  console.log(
    JSON.stringify({
      corpusMB: mb,
      tokenizer: kind,
      typed: ds.train.tokens instanceof Int32Array,
      trainTokens: ds.train.tokens.length,
      validationTokens: ds.validation.tokens.length,
      vocab: ds.vocabSize,
      buildSeconds: +(ms / 1000).toFixed(1),
      peakRssMB: Math.round(peakRss / 2 ** 20),
      heapUsedMB: Math.round(m.heapUsed / 2 ** 20),
      arrayBuffersMB: Math.round(m.arrayBuffers / 2 ** 20),
    }),
  );
} finally {
  clearInterval(sample);
  rmSync(dir, { recursive: true, force: true });
}
