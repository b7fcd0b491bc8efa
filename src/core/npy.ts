/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), so users can bring activations from
 * their own PyTorch/JAX models (`np.save`) to `homolab measure`, and export ours.
 *
 * Layout (numpy/lib/format.py): the magic `\x93NUMPY`, major and minor version bytes, the header
 * length (uint16 LE in v1, uint32 LE in v2/v3), then a Python dict literal
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (N, D), }` (latin-1 in v1/v2, UTF-8 in v3)
 * padded with spaces and a newline so the data starts on a 64-byte boundary, then the raw data.
 *
 * Supported: float32 and float64 (`f4`/`f8`), little or big endian, C or Fortran order, any
 * number of dimensions. Anything else (integers, object arrays, structured dtypes, pickles) is
 * rejected with an error that names what was found. Parsed data is always returned in C
 * (row-major) order and native float arrays.
 */
import type { Matrix } from './similarity/matrix';

export type NpyDtype = 'float32' | 'float64';

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** Values in C (row-major) order. */
  data: Float32Array | Float64Array;
}

export interface NpyWriteOptions {
  /** Format version; default 1 (2 automatically when the header would not fit). */
  version?: 1 | 2 | 3;
  /** Store in Fortran (column-major) order; the input is still given in C order. */
  fortranOrder?: boolean;
  /** Store big-endian values ('>f4'/'>f8'); default little-endian. */
  bigEndian?: boolean;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function fail(msg: string): never {
  throw new Error(`.npy: ${msg}`);
}

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string): Header {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  if (!descr) {
    if (/['"]descr['"]\s*:\s*\[/.test(text))
      fail('structured dtypes (record arrays) are not supported; save a plain float array');
    fail(`header has no 'descr': ${text.trim()}`);
  }
  const fo = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fo) fail(`header has no 'fortran_order': ${text.trim()}`);
  const sh = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!sh) fail(`header has no 'shape': ${text.trim()}`);
  const shape = sh[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) fail(`bad dimension '${s}' in shape (${sh[1]})`);
      return v;
    });
  return { descr: descr[1], fortranOrder: fo[1] === 'True', shape };
}

function dtypeOf(descr: string): { dtype: NpyDtype; size: number; little: boolean } {
  const m = /^([<>|=])?([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) fail(`unsupported dtype '${descr}'`);
  const [, order, kind, bytes] = m;
  if (kind === 'f' && (bytes === '4' || bytes === '8')) {
    // '=' and '|' mean native/not applicable; every platform we run on is little-endian.
    const little = order !== '>';
    return { dtype: bytes === '4' ? 'float32' : 'float64', size: Number(bytes), little };
  }
  const names: Record<string, string> = {
    f: 'float',
    i: 'signed integer',
    u: 'unsigned integer',
    b: 'boolean',
    c: 'complex',
    O: 'object',
    U: 'unicode string',
    S: 'byte string',
    M: 'datetime',
    m: 'timedelta',
  };
  fail(
    `unsupported dtype '${descr}' (${names[kind] ?? kind}, ${bytes} bytes); ` +
      'only float32 and float64 are supported — convert with arr.astype(np.float32)',
  );
}

/** Parses a `.npy` file's bytes. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    fail('not a NumPy .npy file (magic string missing)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated header');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    fail(`unsupported format version ${major}.${bytes[7]}`);
  }
  if (start + headerLen > bytes.length) fail('truncated header');
  const headerBytes = bytes.subarray(start, start + headerLen);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { descr, fortranOrder, shape } = parseHeader(text);
  const { dtype, size, little } = dtypeOf(descr);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  if (bytes.length - offset < count * size)
    fail(
      `data truncated: shape (${shape.join(', ')}) needs ${count * size} bytes, file has ${bytes.length - offset}`,
    );
  const raw = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++)
    raw[i] =
      size === 4
        ? view.getFloat32(offset + i * 4, little)
        : view.getFloat64(offset + i * 8, little);
  const data = fortranOrder && shape.length > 1 ? reorder(raw, shape, 'F->C') : raw;
  return { dtype, shape, data };
}

/** Converts between C and Fortran order for an array of the given (logical) shape. */
function reorder<T extends Float32Array | Float64Array>(
  src: T,
  shape: number[],
  dir: 'F->C' | 'C->F',
): T {
  const n = shape.length;
  const out = new (src.constructor as { new (len: number): T })(src.length);
  const cStride = new Array<number>(n);
  const fStride = new Array<number>(n);
  cStride[n - 1] = 1;
  for (let d = n - 2; d >= 0; d--) cStride[d] = cStride[d + 1] * shape[d + 1];
  fStride[0] = 1;
  for (let d = 1; d < n; d++) fStride[d] = fStride[d - 1] * shape[d - 1];
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < src.length; c++) {
    let f = 0;
    for (let d = 0; d < n; d++) f += idx[d] * fStride[d];
    if (dir === 'F->C') out[c] = src[f];
    else out[f] = src[c];
    for (let d = n - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Serialises an array (data in C order) as a `.npy` file. */
export function writeNpy(
  array: { shape: readonly number[]; data: Float32Array | Float64Array },
  options: NpyWriteOptions = {},
): Uint8Array {
  const { shape, data } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`bad shape (${shape.join(', ')})`);
  if (count !== data.length)
    fail(`shape (${shape.join(', ')}) does not hold ${data.length} values`);
  const size = data instanceof Float32Array ? 4 : 8;
  const fortran = options.fortranOrder ?? false;
  const big = options.bigEndian ?? false;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${big ? '>' : '<'}f${size}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const enc = new TextEncoder().encode(dict);
  let version = options.version ?? 1;
  const prefix = (v: number): number => (v === 1 ? 10 : 12);
  const padded = (v: number): number =>
    Math.ceil((prefix(v) + enc.length + 1) / 64) * 64 - prefix(v);
  if (version === 1 && padded(1) > 0xffff) version = 2;
  const headerLen = padded(version);
  const out = new Uint8Array(prefix(version) + headerLen + count * size);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  const h = prefix(version);
  out.set(enc, h);
  out.fill(0x20, h + enc.length, h + headerLen - 1);
  out[h + headerLen - 1] = 0x0a;
  const payload = fortran && shape.length > 1 ? reorder(data, [...shape], 'C->F') : data;
  const off = h + headerLen;
  for (let i = 0; i < count; i++)
    if (size === 4) view.setFloat32(off + i * 4, payload[i], !big);
    else view.setFloat64(off + i * 8, payload[i], !big);
  return out;
}

/** A 2-D `.npy` array as a float64 matrix (rows = examples); other ranks are rejected. */
export function npyToMatrix(array: NpyArray): Matrix {
  if (array.shape.length !== 2)
    fail(
      `expected a 2-D array (examples × features), got shape (${array.shape.join(', ')}); ` +
        'reshape to (N, D) first, e.g. acts.reshape(-1, acts.shape[-1])',
    );
  const [rows, cols] = array.shape;
  const data = array.data instanceof Float64Array ? array.data : Float64Array.from(array.data);
  return { rows, cols, data };
}

/** Parses a `.npy` file holding a 2-D float array into a matrix. */
export function readNpyMatrix(bytes: Uint8Array): Matrix {
  return npyToMatrix(parseNpy(bytes));
}

/** Serialises a matrix as a 2-D `.npy` (float64 unless dtype 'float32' is asked for). */
export function matrixToNpy(
  m: Matrix,
  dtype: NpyDtype = 'float64',
  options: NpyWriteOptions = {},
): Uint8Array {
  const data = dtype === 'float32' ? Float32Array.from(m.data) : m.data;
  return writeNpy({ shape: [m.rows, m.cols], data }, options);
}
