/**
 * A running hash over every batch served: h₀ = 64 zeros, hₙ = sha256(hₙ₋₁ ‖ inputs ‖ targets ‖
 * weights) with the arrays as little-endian bytes. Two runs with equal final hashes saw the
 * same batches in the same order; the hash is a hex string, so it fits in a cursor/checkpoint.
 * Cost: one sha256 over ~12 bytes per token per batch (microseconds for typical batches).
 */
import { createHash } from 'node:crypto';
import type { Batch } from './types';

export const INITIAL_BATCH_HASH = '0'.repeat(64);

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function batchHash(previous: string, batch: Batch): string {
  const h = createHash('sha256');
  h.update(previous);
  h.update(Buffer.from(`${batch.batchSize}x${batch.contextLength}`));
  h.update(leBytes(batch.inputs));
  h.update(leBytes(batch.targets));
  h.update(leBytes(batch.weights));
  return h.digest('hex');
}

function leBytes(a: Int32Array | Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.alloc(a.byteLength);
  const view = new DataView(a.buffer, a.byteOffset, a.byteLength);
  for (let i = 0; i < a.length; i++) out.writeUInt32LE(view.getUint32(i * 4, false), i * 4);
  return out;
}
