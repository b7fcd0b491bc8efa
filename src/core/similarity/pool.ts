/**
 * A pool of large float64 scratch buffers (the N×N-sized intermediates of RBF CKA and mutual
 * k-NN: ~17 MB each at N = 2,048).
 *
 * Why: touching freshly allocated memory costs a page fault per 4 KB page, and a large typed
 * array gets fresh pages from the OS every time (it is mmap'd and unmapped again when
 * collected). Measured here: allocating and filling 32 MB took 130 ms of CPU, refilling the same
 * buffer 2 ms — more than the arithmetic done on it. An analysis builds such buffers for every
 * model at every layer, so reusing them between layers removes most of that cost.
 *
 * Buffers come back dirty (callers overwrite them fully). Free buffers are dropped after a few
 * seconds without use, so an idle app does not hold on to the memory.
 */

/** Free buffers keyed by length. */
const free = new Map<number, Float64Array[]>();
let freeBytes = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Most bytes kept in free buffers; beyond that, returned buffers are left to the GC. */
const MAX_FREE_BYTES = 512 * 1024 * 1024;
/** Buffers smaller than this are not worth pooling (allocation is cheap for them). */
const MIN_POOLED_LENGTH = 1 << 15;
/** Free buffers are released after this long without a take/give. */
const IDLE_MS = 5000;

function touch(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = freeBytes > 0 ? setTimeout(dropPooledBuffers, IDLE_MS) : undefined;
  // Never keep a process alive for the pool's sake.
  (timer as { unref?: () => void } | undefined)?.unref?.();
}

/** A float64 buffer of exactly `length` values, contents undefined (possibly stale). */
export function takeBuffer(length: number): Float64Array {
  const list = free.get(length);
  const b = list?.pop();
  if (b) {
    freeBytes -= b.byteLength;
    touch();
    return b;
  }
  return new Float64Array(length);
}

/** Hands a buffer obtained from `takeBuffer` back for reuse; the caller must not use it again. */
export function giveBuffer(b: Float64Array): void {
  if (b.length < MIN_POOLED_LENGTH || freeBytes + b.byteLength > MAX_FREE_BYTES) return;
  let list = free.get(b.length);
  if (!list) free.set(b.length, (list = []));
  if (list.includes(b)) return; // given back twice: keep a single reference
  list.push(b);
  freeBytes += b.byteLength;
  touch();
}

/** Drops every free buffer now (tests; memory pressure). */
export function dropPooledBuffers(): void {
  free.clear();
  freeBytes = 0;
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
}

/** Bytes currently held in free buffers. */
export function pooledBytes(): number {
  return freeBytes;
}
