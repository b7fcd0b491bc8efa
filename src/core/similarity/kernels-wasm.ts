/**
 * The float64 product kernels of kernels.ts in WebAssembly SIMD (f64x2; source row-dots.wat,
 * embedded by `npm run build:wasm` as row-dots-wasm.ts), run on one thread or across a small
 * worker pool (kernel-pool.ts) sharing the kernel's memory.
 *
 * Two kernels:
 * - `dots`: all dot products between the rows of two row-major arrays (Gram matrices X·Xᵀ),
 *   2×4 register tiles, k-blocks of 1024.
 * - `outer`: AᵀB for row-major N×D operands without transposing them (feature-space products
 *   XᵀY, the core of linear CKA). The operands are copied into the kernel memory as k-blocks of
 *   4-column panels (the packing step of a BLAS GEMM; centering is fused into that copy), and a
 *   4×4 register tile accumulates C[i][j..j+3] += A[k][i]·B[k][j..j+3] in k order. Each output
 *   element is one running sum over k = 0…N−1, so its value does not depend on blocking, tiling or
 *   threads. Measured here (2-core AMD EPYC, Node 20): ~20 GFLOP/s per thread against ~18 for
 *   the former transpose + `dots` route, and no transposed copies.
 *
 * Where WebAssembly or its SIMD proposal is unavailable the functions return undefined and
 * kernels.ts uses its JS kernel. Threads are used only in Node (worker_threads and
 * SharedArrayBuffer) and only for products large enough to pay for the hand-off (~0.1 ms).
 */
import { wasmBytes } from '../wasm-bytes';
import { WASM, WASM_SHARED } from './row-dots-wasm';
import { MAX_ITEMS, startPool, type KernelPool, type PoolFunction } from './kernel-pool';

/** Rows per k-block of the packed operands: 256 rows × 512 columns × 8 B = 1 MB, ≈ L2. */
const KC = 256;
/**
 * Micro-panels (4 output rows each) per work item of `outer`: each item streams all of B once,
 * so larger items mean less cache traffic (16 measured ~5% faster than 8 on 2 threads), while
 * D = 512 still gives 8 items for the threads to share.
 */
const OUTER_ITEM_PANELS = 16;
/** Output rows per work item of `dots`. */
const DOTS_PANEL = 32;
/** Below this many multiply-adds a product runs on the calling thread only. */
const THREAD_MIN_WORK = 1 << 22;
/** Threads per product (the calling thread included) are capped: other work may run beside. */
const MAX_THREADS = 4;

/** The slice of the WebAssembly JS API used here (the project's TS lib has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

type ItemFn = (...args: number[]) => void;

interface Kernel {
  memory: WasmMemory;
  module: object;
  shared: boolean;
  fns: Record<PoolFunction, ItemFn>;
}

let kernel: Kernel | null | undefined;

/**
 * Node with worker_threads: the shared-memory build, so a pool can join in later. Not where a
 * `window` exists (an Electron renderer with Node integration): Atomics.wait, which the calling
 * thread needs, is not allowed on a page's main thread.
 */
function threadsPossible(): boolean {
  const g = globalThis as { process?: { getBuiltinModule?: unknown }; window?: unknown };
  return (
    typeof SharedArrayBuffer !== 'undefined' &&
    typeof g.process?.getBuiltinModule === 'function' &&
    g.window === undefined
  );
}

function instantiate(wasm: WasmApi, shared: boolean): Kernel | null {
  const bytes = wasmBytes(shared ? WASM_SHARED : WASM);
  if (!wasm.validate(bytes)) return null; // no SIMD (or threads) support
  const memory = shared
    ? new wasm.Memory({ initial: 1, maximum: 65536, shared: true })
    : new wasm.Memory({ initial: 1 });
  const module = new wasm.Module(bytes);
  const exports = new wasm.Instance(module, { env: { memory } }).exports as Record<
    PoolFunction,
    ItemFn
  >;
  return {
    memory,
    module,
    shared,
    fns: { outerItem: exports.outerItem, dotsItem: exports.dotsItem },
  };
}

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) return null;
    if (threadsPossible()) {
      try {
        kernel = instantiate(wasm, true);
      } catch {
        kernel = null;
      }
    }
    kernel ??= instantiate(wasm, false);
  } catch {
    kernel = null;
  }
  return kernel;
}

/** True when the SIMD kernel can run here. */
export function wasmKernelAvailable(): boolean {
  return load() !== null;
}

let threadSetting: number | undefined;
let pool: KernelPool | undefined;
let poolFailed = false;

function defaultThreads(): number {
  const proc = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  ).process;
  try {
    const os = proc?.getBuiltinModule?.('node:os') as
      | { availableParallelism?: () => number; cpus(): unknown[] }
      | undefined;
    const n = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
    return Math.max(1, Math.min(MAX_THREADS, n));
  } catch {
    return 1;
  }
}

/**
 * Threads for the large products (the calling thread included): `undefined` restores the default
 * (the machine's cores, at most 4), 1 turns the worker pool off. Results are bit-for-bit the same
 * for every setting. Closes the current pool if the count changes.
 */
export function setKernelThreads(threads: number | undefined): void {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
    throw new Error(`setKernelThreads: expected a positive integer, got ${threads}`);
  if (threads === threadSetting) return;
  threadSetting = threads;
  if (pool) void pool.close();
  pool = undefined;
  poolFailed = false;
}

/** The thread count large products will use here (1 where workers are unavailable). */
export function kernelThreads(): number {
  const k = load();
  if (!k?.shared) return 1;
  return threadSetting ?? defaultThreads();
}

function getPool(k: Kernel): KernelPool | undefined {
  if (pool || poolFailed || !k.shared) return pool;
  const threads = kernelThreads();
  if (threads > 1) pool = startPool(k.module, k.memory, k.fns, threads - 1);
  if (!pool) poolFailed = true;
  return pool;
}

/**
 * Resolves once the worker pool (if any) has started and instantiated the kernel, so that the
 * next large product is shared among all threads. Optional: before that, products simply run
 * on fewer threads.
 */
export async function kernelPoolReady(): Promise<void> {
  const k = load();
  if (!k) return;
  await getPool(k)?.ready();
}

/** Items of work run by pool workers so far (0 without a pool); for tests. */
export function kernelPoolWorkerItems(): number {
  return pool?.workerItems() ?? 0;
}

function runItems(
  k: Kernel,
  fn: PoolFunction,
  params: number[],
  nItems: number,
  work: number,
): void {
  const p = work >= THREAD_MIN_WORK && nItems > 1 ? getPool(k) : undefined;
  if (p && nItems <= MAX_ITEMS) {
    p.run(fn, params, nItems);
    return;
  }
  const f = k.fns[fn];
  for (let i = 0; i < nItems; i++) f(...params, i);
}

/** Grows the kernel memory to at least `bytes`; it only grows, so pages stay resident. */
function reserve(k: Kernel, bytes: number): Float64Array {
  const have = k.memory.buffer.byteLength;
  if (bytes > 2 ** 32 - 65536) throw new Error('similarity kernel: product exceeds 4 GB');
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return new Float64Array(k.memory.buffer);
}

const even = (n: number): number => n + (n & 1);

interface Layout {
  kernel: Kernel;
  f: Float64Array;
  /** Row stride of C and its offset (in doubles) in the wasm memory. */
  nbP: number;
  pc: number;
}

/**
 * Copies A (and B) into the wasm memory, padded to the kernel's contract, and runs the kernel;
 * C = A·Bᵀ is left in the wasm memory at `pc` with rows `nbP` doubles apart.
 */
function runDots(
  a: Float64Array,
  na: number,
  b: Float64Array,
  nb: number,
  len: number,
  symmetric: boolean,
): Layout | undefined {
  const k = load();
  if (!k) return undefined;
  evict();
  // Pad to the kernel's contract: rows of even length, na even, nb a multiple of 4 (zeros).
  // For a symmetric product A is also B, so it needs B's padding (a multiple of 4 rows).
  const lenP = even(len);
  const nbP = nb + ((4 - (nb % 4)) % 4);
  const naP = symmetric ? nbP : even(na);
  const pa = 0;
  const pb = symmetric ? 0 : naP * lenP;
  const pc = symmetric ? naP * lenP : pb + nbP * lenP;
  const f = reserve(k, (pc + naP * nbP) * 8);
  const put = (src: Float64Array, rows: number, rowsP: number, at: number): void => {
    if (lenP === len) f.set(src.subarray(0, rows * len), at);
    else
      for (let r = 0; r < rows; r++) {
        f.set(src.subarray(r * len, (r + 1) * len), at + r * lenP);
        f[at + r * lenP + len] = 0;
      }
    f.fill(0, at + rows * lenP, at + rowsP * lenP);
  };
  put(a, na, naP, pa);
  if (!symmetric) put(b, nb, nbP, pb);
  if (symmetric)
    // Only the tiles touching the upper triangle accumulate; clearing just those rows' tails
    // halves the memory written.
    for (let i = 0; i < naP; i++) f.fill(0, pc + i * nbP + (i & ~3), pc + (i + 1) * nbP);
  else f.fill(0, pc, pc + naP * nbP);
  const items = Math.ceil(naP / DOTS_PANEL);
  const work = na * nb * len * (symmetric ? 0.5 : 1);
  runItems(
    k,
    'dotsItem',
    [pa * 8, naP, pb * 8, nbP, lenP, pc * 8, symmetric ? 1 : 0, DOTS_PANEL],
    items,
    work,
  );
  return { kernel: k, f, nbP, pc };
}

/**
 * out[i·nb + j] = Σ_k a[i·len + k]·b[j·len + k]; undefined when the wasm kernel is unavailable.
 * With `symmetric` (a === b) only the upper triangle (i ≤ j) is guaranteed to be filled.
 * The result goes to `out` when given (length ≥ na·nb), else to a new array.
 */
export function wasmRowDots(
  a: Float64Array,
  na: number,
  b: Float64Array,
  nb: number,
  len: number,
  symmetric: boolean,
  out?: Float64Array,
): Float64Array | undefined {
  const l = runDots(a, na, b, nb, len, symmetric);
  if (!l) return undefined;
  const o = out ?? new Float64Array(na * nb);
  const { f, pc, nbP } = l;
  if (nbP === nb) o.set(f.subarray(pc, pc + na * nb));
  else for (let i = 0; i < na; i++) o.set(f.subarray(pc + i * nbP, pc + i * nbP + nb), i * nb);
  return o;
}

/**
 * The Gram matrix of the rows of `a` (n rows of `len` values), upper triangle and diagonal
 * only, left in the kernel's memory: G[i][j] = data[i·stride + j] for i ≤ j. No copy out of
 * the wasm memory, whose pages stay resident between calls (fresh N×N buffers are costly; see
 * pool.ts). The view is valid only until the next call into this module. Undefined when the
 * wasm kernel is unavailable.
 */
export function wasmUpperGram(
  a: Float64Array,
  n: number,
  len: number,
): { data: Float64Array; stride: number } | undefined {
  const l = runDots(a, n, a, n, len, true);
  if (!l) return undefined;
  return {
    data: new Float64Array(l.kernel.memory.buffer, l.pc * 8, n * l.nbP),
    stride: l.nbP,
  };
}

/**
 * Copies the rows × cols row-major `src` (minus `mean` per column, when given) into `f` at
 * `at` as k-blocks of KC rows, each holding `panels` panels of 4 columns (zero-padded):
 * value (k, j) lands at at + k0·4·panels + ⌊j/4⌋·4·kc + (k − k0)·4 + j mod 4.
 * Row by row, so the reads are sequential and each panel is written sequentially too.
 */
function pack(
  f: Float64Array,
  at: number,
  src: Float64Array,
  rows: number,
  cols: number,
  mean: Float64Array | undefined,
  panels: number,
): void {
  const m = new Float64Array(panels * 4);
  if (mean) m.set(mean.subarray(0, cols));
  const full = cols >> 2;
  for (let k0 = 0; k0 < rows; k0 += KC) {
    const kc = Math.min(KC, rows - k0);
    const step = 4 * kc;
    for (let r = 0; r < kc; r++) {
      const s0 = (k0 + r) * cols;
      let d = at + k0 * 4 * panels + r * 4;
      for (let j = 0; j < full * 4; j += 4, d += step) {
        f[d] = src[s0 + j] - m[j];
        f[d + 1] = src[s0 + j + 1] - m[j + 1];
        f[d + 2] = src[s0 + j + 2] - m[j + 2];
        f[d + 3] = src[s0 + j + 3] - m[j + 3];
      }
      // The last, partial panel (and any padding panels): missing columns are zeros.
      for (let j = full * 4; j < panels * 4; j += 4, d += step)
        for (let l = 0; l < 4; l++) f[d + l] = j + l < cols ? src[s0 + j + l] - m[j + l] : 0;
    }
  }
}

/**
 * Operands packed by an earlier product and still in the kernel memory: a Representation's
 * data with its column means (both immutable once the Representation exists), so that linear
 * CKA's XᵀY, XᵀX and YᵀY pack each side once. Any other use of the memory clears it.
 */
interface Resident {
  /** Weak: the cache must not keep a caller's N×D array alive. */
  data: WeakRef<Float64Array>;
  mean: Float64Array;
  at: number;
  end: number;
}
let resident: Resident[] = [];

/** Forgets the packed operands (the memory is about to be overwritten). */
function evict(): void {
  resident = [];
}

interface CrossLayout {
  k: Kernel;
  /** Offset (doubles) and row stride of C in the kernel memory. */
  pc: number;
  ldc: number;
}

/** Packs the operands (or finds them packed) and runs `outer`; C is left in the memory. */
function runCross(
  x: Float64Array,
  mx: Float64Array | undefined,
  y: Float64Array,
  my: Float64Array | undefined,
  n: number,
  d1: number,
  d2: number,
  symmetric: boolean,
  cacheable: boolean,
): CrossLayout | undefined {
  const k = load();
  if (!k) return undefined;
  const npa = Math.ceil(d1 / 4);
  const npb = Math.ceil(d2 / 4);
  const ldc = npb * 4;
  // Place each operand: where it already is, else at 0 or after the operand being kept.
  const found = (data: Float64Array, mean: Float64Array | undefined): Resident | undefined =>
    cacheable && mean ? resident.find((r) => r.mean === mean && r.data.deref() === data) : undefined;
  const ra = found(x, mx);
  const rb = symmetric ? ra : found(y, my);
  const sizeA = n * npa * 4;
  const sizeB = n * npb * 4;
  const placeAfter = (size: number, keep: Resident | undefined): number =>
    keep && keep.at < size ? keep.end : 0;
  const pa = ra ? ra.at : placeAfter(sizeA, rb);
  const pb = symmetric ? pa : rb ? rb.at : Math.max(placeAfter(sizeB, ra), ra ? 0 : pa + sizeA);
  const pc = Math.max(pa + sizeA, pb + sizeB);
  const f = reserve(k, (pc + npa * 4 * ldc) * 8);
  if (!ra) pack(f, pa, x, n, d1, mx, npa);
  if (!symmetric && !rb) pack(f, pb, y, n, d2, my, npb);
  resident = [];
  if (cacheable && mx) resident.push(ra ?? { data: new WeakRef(x), mean: mx, at: pa, end: pa + sizeA });
  if (cacheable && my && !symmetric)
    resident.push(rb ?? { data: new WeakRef(y), mean: my, at: pb, end: pb + sizeB });
  const items = Math.ceil(npa / OUTER_ITEM_PANELS);
  runItems(
    k,
    'outerItem',
    [pa * 8, pb * 8, pc * 8, n, KC, npa, npb, ldc, symmetric ? 1 : 0, OUTER_ITEM_PANELS],
    items,
    n * d1 * d2 * (symmetric ? 0.5 : 1),
  );
  return { k, pc, ldc };
}

/**
 * C = (X − 1·mxᵀ)ᵀ(Y − 1·myᵀ), a D1×D2 row-major array, for row-major X (N×D1) and Y (N×D2);
 * a missing mean means no centering. With `symmetric` (the same X and mean on both sides) only
 * the upper triangle (i ≤ j) is guaranteed. `cacheable`: the data and means will not change, so
 * the packed copies may be reused by the next product. Undefined when wasm is unavailable.
 */
export function wasmCrossProduct(
  x: Float64Array,
  mx: Float64Array | undefined,
  y: Float64Array,
  my: Float64Array | undefined,
  n: number,
  d1: number,
  d2: number,
  symmetric: boolean,
  cacheable = false,
): Float64Array | undefined {
  const l = runCross(x, mx, y, my, n, d1, d2, symmetric, cacheable);
  if (!l) return undefined;
  const { pc, ldc } = l;
  const out = new Float64Array(d1 * d2);
  const g = new Float64Array(l.k.memory.buffer);
  if (ldc === d2) out.set(g.subarray(pc, pc + d1 * d2));
  else for (let i = 0; i < d1; i++) out.set(g.subarray(pc + i * ldc, pc + i * ldc + d2), i * d2);
  return out;
}

/**
 * ‖C‖²_F for the C of `wasmCrossProduct` (symmetric: the full matrix, mirrored), summed in the
 * same row-major order as `sumSquares` over the copied-out (and mirrored) C, so both routes give
 * the same bits. No D1×D2 array is allocated: on this machine a fresh 2 MB array costs ~7 ms of
 * page faults, as much as a tenth of the product itself.
 */
export function wasmCrossSumSquares(
  x: Float64Array,
  mx: Float64Array | undefined,
  y: Float64Array,
  my: Float64Array | undefined,
  n: number,
  d1: number,
  d2: number,
  symmetric: boolean,
  cacheable = false,
): number | undefined {
  const l = runCross(x, mx, y, my, n, d1, d2, symmetric, cacheable);
  if (!l) return undefined;
  const { pc, ldc } = l;
  const g = new Float64Array(l.k.memory.buffer);
  let s = 0;
  for (let i = 0; i < d1; i++) {
    const o = pc + i * ldc;
    let j = 0;
    if (symmetric) for (; j < i; j++) s += g[pc + j * ldc + i] * g[pc + j * ldc + i];
    for (; j < d2; j++) s += g[o + j] * g[o + j];
  }
  return s;
}
