/**
 * Compact binary encoding of named float32 tensors (checkpoint weights and optimizer state).
 *
 * Layout, all integers little-endian:
 *
 * | offset | size | field                                                        |
 * | ------ | ---- | ------------------------------------------------------------ |
 * | 0      | 4    | magic `HLTM`                                                 |
 * | 4      | 2    | format version (1)                                           |
 * | 6      | 2    | flags (0)                                                    |
 * | 8      | 4    | tensor count N                                               |
 * | 12     | 4    | entry table length E in bytes                                |
 * | 16     | E    | N entries: u16 name length, UTF-8 name, u8 dtype (1=float32), |
 * |        |      | u8 rank, rank × u32 dims                                     |
 * | 16+E   | 0–3  | zero padding to a multiple of 4                              |
 * | …      | …    | tensor data, float32 LE, in entry order, no gaps             |
 * | end−4  | 4    | CRC-32 (IEEE, as zlib) of every preceding byte               |
 *
 * The trailing CRC makes a torn or corrupted blob detectable on read (`decodeTensors` throws
 * `CorruptTensorsError`). Decoding copies each tensor into its own aligned Float32Array.
 */
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import type { TensorMap } from './types';

const MAGIC = 0x4d544c48; // 'HLTM' read as u32 LE
const VERSION = 1;
const DTYPE_F32 = 1;

export class CorruptTensorsError extends Error {
  constructor(message: string) {
    super(`corrupt tensor blob: ${message}`);
    this.name = 'CorruptTensorsError';
  }
}

if (endianness() !== 'LE') {
  // Float32Array views use platform byte order; every platform we ship on is little-endian.
  throw new Error('tensor-codec requires a little-endian platform');
}

function numel(shape: number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new Error(`bad dimension ${d}`);
    n *= d;
  }
  return n;
}

/** Encodes named tensors into one buffer (see the layout above). */
export function encodeTensors(tensors: TensorMap): Buffer {
  const names = Object.keys(tensors);
  const nameBytes = names.map((n) => Buffer.from(n, 'utf8'));
  let entryLen = 0;
  let dataLen = 0;
  names.forEach((name, i) => {
    const { shape, data } = tensors[name];
    if (!(data instanceof Float32Array))
      throw new Error(`tensor ${name}: data must be Float32Array`);
    if (shape.length > 255) throw new Error(`tensor ${name}: rank ${shape.length} > 255`);
    if (nameBytes[i].length > 0xffff)
      throw new Error(`tensor name too long: ${name.slice(0, 40)}…`);
    const n = numel(shape);
    if (n !== data.length)
      throw new Error(
        `tensor ${name}: shape [${shape}] has ${n} elements, data has ${data.length}`,
      );
    entryLen += 2 + nameBytes[i].length + 2 + 4 * shape.length;
    dataLen += 4 * n;
  });
  const pad = (4 - ((16 + entryLen) % 4)) % 4;
  const total = 16 + entryLen + pad + dataLen + 4;
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt16LE(VERSION, 4);
  buf.writeUInt16LE(0, 6);
  buf.writeUInt32LE(names.length, 8);
  buf.writeUInt32LE(entryLen, 12);
  let o = 16;
  names.forEach((name, i) => {
    const { shape } = tensors[name];
    buf.writeUInt16LE(nameBytes[i].length, o);
    o += 2;
    nameBytes[i].copy(buf, o);
    o += nameBytes[i].length;
    buf.writeUInt8(DTYPE_F32, o++);
    buf.writeUInt8(shape.length, o++);
    for (const d of shape) {
      buf.writeUInt32LE(d, o);
      o += 4;
    }
  });
  o += pad;
  for (const name of names) {
    const { data } = tensors[name];
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    buf.set(bytes, o);
    o += bytes.length;
  }
  buf.writeUInt32LE(crc32(buf.subarray(0, o)), o);
  return buf;
}

/** Checks the magic, version and CRC without decoding. */
export function verifyTensors(blob: Uint8Array): boolean {
  try {
    checkFrame(Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength));
    return true;
  } catch {
    return false;
  }
}

function checkFrame(buf: Buffer): void {
  if (buf.length < 20) throw new CorruptTensorsError(`only ${buf.length} bytes`);
  if (buf.readUInt32LE(0) !== MAGIC) throw new CorruptTensorsError('bad magic');
  const version = buf.readUInt16LE(4);
  if (version !== VERSION) throw new CorruptTensorsError(`unsupported version ${version}`);
  const stored = buf.readUInt32LE(buf.length - 4);
  const actual = crc32(buf.subarray(0, buf.length - 4));
  if (stored !== actual) throw new CorruptTensorsError('checksum mismatch');
}

/** Decodes a blob written by `encodeTensors`; throws CorruptTensorsError if it does not verify. */
export function decodeTensors(blob: Uint8Array): TensorMap {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  checkFrame(buf);
  const count = buf.readUInt32LE(8);
  const entryLen = buf.readUInt32LE(12);
  const entries: { name: string; shape: number[] }[] = [];
  let o = 16;
  const entryEnd = 16 + entryLen;
  for (let i = 0; i < count; i++) {
    if (o + 2 > entryEnd) throw new CorruptTensorsError('entry table overrun');
    const nameLen = buf.readUInt16LE(o);
    o += 2;
    const name = buf.toString('utf8', o, o + nameLen);
    o += nameLen;
    const dtype = buf.readUInt8(o++);
    if (dtype !== DTYPE_F32) throw new CorruptTensorsError(`unknown dtype ${dtype}`);
    const rank = buf.readUInt8(o++);
    const shape: number[] = [];
    for (let d = 0; d < rank; d++, o += 4) shape.push(buf.readUInt32LE(o));
    entries.push({ name, shape });
  }
  if (o !== entryEnd) throw new CorruptTensorsError('entry table length mismatch');
  o += (4 - (o % 4)) % 4;
  const out: TensorMap = {};
  for (const { name, shape } of entries) {
    const bytes = 4 * numel(shape);
    if (o + bytes > buf.length - 4) throw new CorruptTensorsError(`tensor ${name} overruns blob`);
    const data = new Float32Array(bytes / 4);
    new Uint8Array(data.buffer).set(buf.subarray(o, o + bytes));
    o += bytes;
    out[name] = { shape, data };
  }
  if (o !== buf.length - 4) throw new CorruptTensorsError('trailing bytes after tensor data');
  return out;
}
