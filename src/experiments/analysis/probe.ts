/**
 * The analysis probe set: fixed token rows every model of an experiment is run on, so that
 * representations and outputs are compared example by example.
 *
 * The store keeps no probe data of its own; the probe is derived deterministically from the
 * experiment's dataset spec (`probeSet`: the first `analysis.probeSize` validation units, in
 * order) at the smallest context length among the analysed runs, and identified by a hash of
 * its tokens, targets and weights, recorded in every analysis's params.
 *
 * Rows of the measures:
 * - representations: every real input position (padding excluded), at most `maxTokens` (the
 *   first ones, in row order) — the N of the CKA family; N×N Gram matrices bound the cost;
 * - outputs: every scored position (loss weight > 0), as the training loss counts them.
 * The probe's rows stop at the row holding the `maxTokens`-th real token (fewer than
 * `probeSize` rows when those are more than enough).
 */
import { createHash } from 'node:crypto';
import { buildDataset, probeSet, type Batch, type Dataset } from '../../core/data';

export interface Probe {
  batch: Batch;
  padId: number;
  /** Flat positions (row·T + t) used as representation rows. */
  repPositions: Int32Array;
  /** Flat positions with loss weight > 0 (output rows). */
  scoredPositions: Int32Array;
  /** sha256 (hex, 16 chars) of inputs, targets and weights. */
  hash: string;
  dataset: Dataset;
}

export interface ProbeOptions {
  /** Sequences (validation units) in the probe. */
  probeSize: number;
  contextLength: number;
  /** Most representation rows (default 2,048). */
  maxTokens?: number;
}

export const DEFAULT_MAX_TOKENS = 2048;

export function hashBatch(b: Batch): string {
  const h = createHash('sha256');
  h.update(`${b.batchSize}x${b.contextLength};`);
  for (const a of [b.inputs, b.targets, b.weights])
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex').slice(0, 16);
}

/** Builds the probe from an already built dataset. */
export function probeFromDataset(dataset: Dataset, opts: ProbeOptions): Probe {
  const full = probeSet(dataset.validation, dataset.padId, {
    contextLength: opts.contextLength,
    count: opts.probeSize,
  });
  const maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
  const T = full.contextLength;
  // The probe is the leading rows that hold the first `maxTokens` real tokens: rows past them
  // would be run through every model for the output measures only.
  let end = full.inputs.length;
  let count = 0;
  for (let i = 0; i < full.inputs.length; i++)
    if (full.inputs[i] !== dataset.padId && ++count === maxTokens) {
      end = (Math.floor(i / T) + 1) * T;
      break;
    }
  const rows = end / T;
  const batch: Batch = {
    batchSize: rows,
    contextLength: T,
    inputs: full.inputs.slice(0, end),
    targets: full.targets.slice(0, end),
    weights: full.weights.slice(0, end),
    exampleIndices: full.exampleIndices?.slice(0, rows),
  };
  const rep: number[] = [];
  const scored: number[] = [];
  for (let i = 0; i < end; i++) {
    if (batch.inputs[i] !== dataset.padId && rep.length < maxTokens) rep.push(i);
    if (batch.weights[i] > 0) scored.push(i);
  }
  return {
    batch,
    padId: dataset.padId,
    repPositions: Int32Array.from(rep),
    scoredPositions: Int32Array.from(scored),
    hash: hashBatch(batch),
    dataset,
  };
}

/** Builds the dataset from an experiment's dataset spec, then the probe. */
export async function buildProbe(datasetSpec: unknown, opts: ProbeOptions): Promise<Probe> {
  return probeFromDataset(await buildDataset(datasetSpec), opts);
}
