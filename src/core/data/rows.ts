/**
 * Filling batch rows from a source: the one place that defines how examples and windows
 * become (inputs, targets, weights).
 *
 * - stream unit u: the window `tokens[u·T .. u·T + T]` (T + 1 tokens; consecutive windows
 *   share one boundary token, so every token is a target exactly once per epoch);
 *   weights all 1.
 * - example unit u: the example left-aligned; inputs = ex[0..T), targets = ex[1..T+1), both
 *   padded with padId; weight 1 exactly where the target is an answer token (0 on the prompt
 *   and on padding).
 */
import type { DataSource } from './sources';
import type { Batch } from './types';

/** Number of rows (examples or windows) a source yields per epoch at this context length. */
export function unitCount(source: DataSource, contextLength: number): number {
  if (source.kind === 'examples') return source.count;
  return Math.max(0, Math.floor((source.tokens.length - 1) / contextLength));
}

/** Throws a clear error when `contextLength` cannot hold this source's rows. */
export function checkContextLength(source: DataSource, contextLength: number, what: string): void {
  if (!Number.isInteger(contextLength) || contextLength < 1)
    throw new Error(`contextLength must be a positive integer, got ${contextLength}`);
  if (source.kind === 'examples') {
    if (source.maxLength > contextLength + 1)
      throw new Error(
        `${what}: examples are up to ${source.maxLength} tokens long, so contextLength must be at least ${source.maxLength - 1} (got ${contextLength}); raise contextLength or use shorter examples`,
      );
    if (source.count === 0) throw new Error(`${what}: no examples`);
  } else if (source.tokens.length < contextLength + 1) {
    throw new Error(
      `${what}: only ${source.tokens.length} tokens, fewer than one window of contextLength + 1 = ${contextLength + 1}; use a smaller contextLength or more text`,
    );
  }
}

export function emptyBatch(batchSize: number, contextLength: number): Batch {
  const n = batchSize * contextLength;
  return {
    batchSize,
    contextLength,
    inputs: new Int32Array(n),
    targets: new Int32Array(n),
    weights: new Float32Array(n),
    exampleIndices: new Int32Array(batchSize),
  };
}

/** Writes unit `unit` of `source` into row `row` of `batch`; unit -1 writes a zero-weight pad row. */
export function fillRow(
  source: DataSource,
  padId: number,
  unit: number,
  batch: Batch,
  row: number,
): void {
  const T = batch.contextLength;
  const o = row * T;
  batch.exampleIndices![row] = unit;
  if (unit < 0) {
    batch.inputs.fill(padId, o, o + T);
    batch.targets.fill(padId, o, o + T);
    batch.weights.fill(0, o, o + T);
    return;
  }
  if (source.kind === 'stream') {
    const start = unit * T;
    batch.inputs.set(source.tokens.subarray(start, start + T), o);
    batch.targets.set(source.tokens.subarray(start + 1, start + T + 1), o);
    batch.weights.fill(1, o, o + T);
    return;
  }
  const s = source.offsets[unit];
  const len = source.offsets[unit + 1] - s;
  for (let t = 0; t < T; t++) {
    batch.inputs[o + t] = t < len ? source.tokens[s + t] : padId;
    const hasTarget = t + 1 < len;
    batch.targets[o + t] = hasTarget ? source.tokens[s + t + 1] : padId;
    batch.weights[o + t] = hasTarget && source.answerMask[s + t + 1] === 1 ? 1 : 0;
  }
}
