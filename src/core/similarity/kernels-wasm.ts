/**
 * The row-dot-product kernel of kernels.ts in WebAssembly SIMD (f64x2), ~4× the scalar JS
 * kernel measured here (V8 compiles JS to scalar SSE code; wasm SIMD gives two float64
 * multiply-adds per instruction and more registers for the tile). Same float64 arithmetic, so
 * results match the JS kernel up to summation order (~1e-15 relative).
 *
 * The module (source: row-dots.wat beside this file) is 770 bytes, compiled synchronously on
 * first use (fine for small modules in browsers too). Where WebAssembly or its SIMD proposal
 * is unavailable, `wasmRowDots` returns undefined and kernels.ts uses the JS kernel.
 *
 * Calls are split into k-blocks (a 1024-double slice of each row stays in L2) and panels of 32
 * rows: besides blocking, many short calls let V8 tier the function up from its baseline
 * compiler to the optimising one early (wasm has no on-stack replacement).
 */

const ROW_DOTS_WASM =
  'AGFzbQEAAAABDgFgCn9/f39/f39/f38AAwIBAAUDAQABBxECBm1lbW9yeQIABGRvdHMAAArLBQHIBQIMfw57IARBA3QhEkEAIQoCQANAIAogAU8NASAAIAogEmxqIQwgDCASaiENIAkgCmpBfHFBACAGGyELAkADQCALIANPDQEgAiALIBJsaiEOIA4gEmohDyAPIBJqIRAgECASaiER/QwAAAAAAAAAAAAAAAAAAAAAIRz9DAAAAAAAAAAAAAAAAAAAAAAhHf0MAAAAAAAAAAAAAAAAAAAAACEe/QwAAAAAAAAAAAAAAAAAAAAAIR/9DAAAAAAAAAAAAAAAAAAAAAAhIP0MAAAAAAAAAAAAAAAAAAAAACEh/QwAAAAAAAAAAAAAAAAAAAAAISL9DAAAAAAAAAAAAAAAAAAAAAAhIyAHQQN0IRMgCEEDdCEUAkADQCATIBRPDQEgDCATav0ABAAhFiANIBNq/QAEACEXIA4gE2r9AAQAIRggDyATav0ABAAhGSAQIBNq/QAEACEaIBEgE2r9AAQAIRsgHCAWIBj98gH98AEhHCAdIBYgGf3yAf3wASEdIB4gFiAa/fIB/fABIR4gHyAWIBv98gH98AEhHyAgIBcgGP3yAf3wASEgICEgFyAZ/fIB/fABISEgIiAXIBr98gH98AEhIiAjIBcgG/3yAf3wASEjIBNBEGohEwwACwsgBSAKQQBqIANsIAtqQQN0aiEVIBUgFSsDACAc/SEAIBz9IQGgoDkDACAVIBUrAwggHf0hACAd/SEBoKA5AwggFSAVKwMQIB79IQAgHv0hAaCgOQMQIBUgFSsDGCAf/SEAIB/9IQGgoDkDGCAFIApBAWogA2wgC2pBA3RqIRUgFSAVKwMAICD9IQAgIP0hAaCgOQMAIBUgFSsDCCAh/SEAICH9IQGgoDkDCCAVIBUrAxAgIv0hACAi/SEBoKA5AxAgFSAVKwMYICP9IQAgI/0hAaCgOQMYIAtBBGohCwwACwsgCkECaiEKDAALCws=';

const K_BLOCK = 1024;
const PANEL = 32;

/** The slice of the WebAssembly JS API used here (the project's TS lib has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  dots: (
    a: number,
    na: number,
    b: number,
    nb: number,
    len: number,
    c: number,
    sym: number,
    k0: number,
    k1: number,
    rowBase: number,
  ) => void;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) return null;
    const bytes = Uint8Array.from(atob(ROW_DOTS_WASM), (ch) => ch.charCodeAt(0));
    if (!wasm.validate(bytes)) return null; // no SIMD support
    const instance = new wasm.Instance(new wasm.Module(bytes), {});
    kernel = instance.exports as unknown as Kernel;
  } catch {
    kernel = null;
  }
  return kernel;
}

/** True when the SIMD kernel can run here. */
export function wasmKernelAvailable(): boolean {
  return load() !== null;
}

const even = (n: number): number => n + (n & 1);

interface Layout {
  kernel: Kernel;
  /** Row length and row counts padded to the kernel's contract. */
  lenP: number;
  nbP: number;
  /** Offsets (in doubles) of A, B and C in the wasm memory. */
  pa: number;
  pb: number;
  pc: number;
}

/**
 * Copies A (and B) into the wasm memory, padded to the kernel's contract, and runs the kernel;
 * C = A·Bᵀ is left in the wasm memory at `pc` with rows `nbP` doubles apart.
 */
function run(
  a: Float64Array,
  na: number,
  b: Float64Array,
  nb: number,
  len: number,
  symmetric: boolean,
): Layout | undefined {
  const k = load();
  if (!k) return undefined;
  // Pad to the kernel's contract: rows of even length, na even, nb a multiple of 4 (zeros).
  // For a symmetric product A is also B, so it needs B's padding (a multiple of 4 rows).
  const lenP = even(len);
  const nbP = nb + ((4 - (nb % 4)) % 4);
  const naP = symmetric ? nbP : even(na);
  const pa = 0;
  const pb = symmetric ? 0 : naP * lenP;
  const pc = symmetric ? naP * lenP : pb + nbP * lenP;
  const need = (pc + naP * nbP) * 8;
  const have = k.memory.buffer.byteLength;
  // The memory only grows, so after the first large product its pages stay resident.
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const f = new Float64Array(k.memory.buffer);
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
  for (let k0 = 0; k0 < lenP; k0 += K_BLOCK) {
    const k1 = Math.min(lenP, k0 + K_BLOCK);
    for (let i0 = 0; i0 < naP; i0 += PANEL) {
      const rows = Math.min(PANEL, naP - i0);
      k.dots(
        (pa + i0 * lenP) * 8,
        rows,
        pb * 8,
        nbP,
        lenP,
        (pc + i0 * nbP) * 8,
        symmetric ? 1 : 0,
        k0,
        k1,
        i0,
      );
    }
  }
  return { kernel: k, lenP, nbP, pa, pb, pc };
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
  const l = run(a, na, b, nb, len, symmetric);
  if (!l) return undefined;
  const f = new Float64Array(l.kernel.memory.buffer);
  const o = out ?? new Float64Array(na * nb);
  const { pc, nbP } = l;
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
  const l = run(a, n, a, n, len, true);
  if (!l) return undefined;
  return {
    data: new Float64Array(l.kernel.memory.buffer, l.pc * 8, n * l.nbP),
    stride: l.nbP,
  };
}
