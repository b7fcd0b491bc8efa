/**
 * Data-layer benchmark: BPE training / encoding speed on multi-MB corpora, char tokenizer
 * speed, dataset build times and batcher throughput.
 *
 *   npm run bench:tokenizer -- --json [--file corpus.txt] [--mb 2] [--vocab 4096]
 *
 * Corpora: `pcfg` (the built-in grammar, low entropy), `zipf` (multilingual random words with
 * Zipf-like frequencies: Latin, CJK, emoji), and optionally a user file.
 */
import { readFileSync } from 'node:fs';
import { Batcher } from '../src/core/data/batcher';
import { BpeTokenizer } from '../src/core/data/bpe-tokenizer';
import { buildDataset } from '../src/core/data/build-dataset';
import { CharTokenizer } from '../src/core/data/char-tokenizer';
import { pcfgSentences } from '../src/core/data/synthetic/pcfg';
import { Rng } from '../src/core/rng';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');
const mb = Number(flag('mb') ?? 2);
const vocab = Number(flag('vocab') ?? 4096);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

function zipfCorpus(bytes: number): string {
  const rng = new Rng(1);
  const pieces = [
    'abcdefghijklmnopqrstuvwxyz',
    '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年',
    '😀🎉🐈🌍',
  ];
  const words = Array.from({ length: 20_000 }, () => {
    const set = [...pieces[rng.int(10) < 7 ? 0 : rng.int(10) < 9 ? 1 : 2]];
    let w = '';
    const n = 1 + rng.int(8);
    for (let i = 0; i < n; i++) w += set[rng.int(set.length)];
    return w;
  });
  const out: string[] = [];
  let size = 0;
  while (size < bytes) {
    const w = words[Math.min(words.length - 1, Math.floor(1 / (rng.next() + 1e-9)) - 1)];
    out.push(w);
    size += Buffer.byteLength(w) + 1;
    if (rng.int(12) === 0) out.push('.\n');
  }
  return out.join(' ');
}

function pcfgCorpusOfSize(bytes: number): string {
  const s = pcfgSentences({
    numSentences: Math.ceil(bytes / 30),
    validationFraction: 0.1,
    maxDepth: 8,
    seed: 1,
  });
  return s.join('\n').slice(0, bytes);
}

const corpora: Record<string, string> = {
  pcfg: pcfgCorpusOfSize(mb * 1e6),
  zipf: zipfCorpus(mb * 1e6),
};
const file = flag('file');
if (file) corpora.file = readFileSync(file, 'utf8');

const tokenizers = Object.entries(corpora).map(([name, text]) => {
  const bytes = Buffer.byteLength(text);
  const [bpe, trainMs] = time(() => BpeTokenizer.train([text], { vocabSize: vocab }));
  const [ids, encodeMs] = time(() => bpe.encode(text));
  const [back, decodeMs] = time(() => bpe.decode(ids));
  const [char, charBuildMs] = time(() => CharTokenizer.fromTexts([text]));
  const [charIds, charEncodeMs] = time(() => char.encode(text));
  return {
    corpus: name,
    mb: bytes / 1e6,
    bpe: {
      vocabSize: bpe.vocabSize,
      trainMs: Math.round(trainMs),
      encodeMBps: +(bytes / 1e6 / (encodeMs / 1000)).toFixed(2),
      decodeMBps: +(bytes / 1e6 / (decodeMs / 1000)).toFixed(2),
      bytesPerToken: +(bytes / ids.length).toFixed(2),
      lossless: back === text,
    },
    char: {
      vocabSize: char.vocabSize,
      buildMs: Math.round(charBuildMs),
      encodeMBps: +(bytes / 1e6 / (charEncodeMs / 1000)).toFixed(2),
      tokens: charIds.length,
    },
  };
});

const datasets = [];
for (const spec of [
  { kind: 'modular', p: 97, ops: ['+', '-', '*', '/'] },
  { kind: 'copy-reverse', mode: 'mixed' },
  { kind: 'dyck' },
  { kind: 'pcfg' },
  { kind: 'pcfg', tokenizer: { kind: 'bpe', vocabSize: 512 } },
]) {
  const t0 = performance.now();
  const d = await buildDataset(spec);
  datasets.push({
    spec,
    buildMs: Math.round(performance.now() - t0),
    vocabSize: d.vocabSize,
    ...d.description.stats,
  });
}

const pcfg = await buildDataset({ kind: 'pcfg' });
const batcher = new Batcher(pcfg.train, pcfg.padId, { contextLength: 128, batchSize: 32, seed: 0 });
const [, batchMs] = time(() => {
  for (let i = 0; i < 1000; i++) batcher.next();
});
const result = {
  bench: 'tokenizer',
  node: process.version,
  tokenizers,
  datasets,
  batcher: {
    batchSize: 32,
    contextLength: 128,
    batchesPerSecond: Math.round(1000 / (batchMs / 1000)),
  },
};
if (json) console.log(JSON.stringify(result, null, 2));
else {
  for (const t of tokenizers)
    console.log(
      `${t.corpus} ${t.mb.toFixed(1)} MB: bpe(${t.bpe.vocabSize}) train ${t.bpe.trainMs} ms, encode ${t.bpe.encodeMBps} MB/s, ${t.bpe.bytesPerToken} B/token, lossless ${t.bpe.lossless}; char(${t.char.vocabSize}) encode ${t.char.encodeMBps} MB/s`,
    );
  for (const d of datasets)
    console.log(`${JSON.stringify(d.spec)}: ${d.buildMs} ms, vocab ${d.vocabSize}`);
  console.log(`batcher 32×128: ${result.batcher.batchesPerSecond} batches/s`);
}
