/**
 * A synthetic corpus of a given size in paragraphs separated by blank lines (so there is no
 * single-newline boundary to split it at), ASCII, seeded: for the large-corpus test and bench.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Rng } from '../src/core/rng';

const WORDS = (
  'the of and to in is was that for on with as by at from his her they this be are have ' +
  'model layer attention token weight gradient similarity corpus training data run seed ' +
  'homogenization transformer variant probe checkpoint measure representation output'
).split(' ');

/** Writes exactly `bytes` bytes of paragraph text to `file`. */
export function writeParagraphCorpus(file: string, bytes: number, seed = 1): void {
  const rng = new Rng(seed);
  const fd = openSync(file, 'w');
  try {
    let written = 0;
    while (written < bytes) {
      let para = '';
      const sentences = 3 + rng.int(5);
      for (let s = 0; s < sentences; s++) {
        const n = 6 + rng.int(12);
        const words: string[] = [];
        for (let w = 0; w < n; w++) words.push(WORDS[rng.int(WORDS.length)]);
        para += words.join(' ') + '. ';
      }
      para += '\n\n';
      const chunk = Buffer.from(para.slice(0, bytes - written), 'latin1');
      writeSync(fd, chunk);
      written += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
}
