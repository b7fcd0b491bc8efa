/**
 * Order statistics without a full sort (Hoare quickselect, median-of-three pivot; a radix
 * histogram first for large non-negative arrays), for the
 * median pairwise distance of RBF CKA: N(N−1)/2 values, ~2M at N = 2048, where sorting would
 * dominate the measure's cost.
 */

/** Rearranges `a` so that a[k] is the k-th smallest value (0-based), smaller ones before it. */
export function selectKth(a: Float64Array, k: number): number {
  if (k < 0 || k >= a.length) throw new Error(`selectKth: k=${k} outside [0, ${a.length})`);
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot, guarding against sorted input
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * The median of all n² entries of a symmetric n×n matrix with a zero diagonal and non-negative
 * off-diagonal entries, given only its n(n−1)/2 upper-triangle values (which get reordered).
 * Matches `np.median` over the full matrix, diagonal zeros included, as in Kornblith et al.'s
 * reference `gram_rbf`.
 */
export function medianOfSymmetricZeroDiagonal(upper: Float64Array, n: number): number {
  if (upper.length !== (n * (n - 1)) / 2) throw new Error('median: upper triangle size mismatch');
  const total = n * n;
  // Sorted full multiset = n zeros, then each upper value twice.
  const at = (p: number, sortedUpper: (k: number) => number): number =>
    p < n ? 0 : sortedUpper(Math.floor((p - n) / 2));
  const kth = (k: number): number => selectKth(upper, k);
  if (total % 2 === 1) return at((total - 1) / 2, kth);
  const lo = at(total / 2 - 1, kth);
  const hi = at(total / 2, kth);
  return (lo + hi) / 2;
}

/** True where float64 words are little-endian (everywhere in practice); else no radix path. */
export const LITTLE_ENDIAN = new Uint32Array(new Float64Array([1]).buffer)[1] === 0x3ff00000;
/** Buckets of the radix histogram: the top 16 bits of a float64 (sign, exponent, 4 mantissa
 * bits), so 16 buckets per octave. Read as `hi >>> 16`, hi the value's upper 32-bit word. */
export const RADIX_BUCKETS = 1 << 16;

/**
 * The histogram of `hi >>> 16` over a[0..length) (see RADIX_BUCKETS), or undefined where the
 * platform is big-endian. Callers sweeping the values anyway can build it in that sweep.
 */
export function radixHistogram(a: Float64Array, length: number): Int32Array | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const hi = new Uint32Array(a.buffer, a.byteOffset, length * 2);
  const hist = new Int32Array(RADIX_BUCKETS);
  for (let i = 0; i < length; i++) hist[hi[2 * i + 1] >>> 16]++;
  return hist;
}

/**
 * The k-th smallest (0-based) of a[0..length) for each k in `ks` (ascending), for finite values
 * ≥ +0, leaving `a` untouched. For such doubles numeric order is the order of their bit
 * patterns, so a histogram of the top 16 bits (`hist`, from `radixHistogram` or built by the
 * caller) locates the bucket holding the wanted ranks; one more sweep copies that bucket's
 * values (typically a few percent), whose next 16 bits narrow them to a handful for
 * quickselect. No N²-sized scratch copy, no sort: ~4× faster than quickselect
 * on a copy of everything.
 */
export function kthSmallestNonNegative(
  a: Float64Array,
  length: number,
  ks: readonly number[],
  hist: Int32Array | undefined = length >= 4096 ? radixHistogram(a, length) : undefined,
): number[] {
  for (const k of ks)
    if (!(k >= 0 && k < length)) throw new Error(`select: k=${k} outside [0, ${length})`);
  if (!hist || !LITTLE_ENDIAN) {
    const copy = a.slice(0, length);
    return ks.map((k) => selectKth(copy, k));
  }
  const hi = new Uint32Array(a.buffer, a.byteOffset, length * 2);
  const [b0, below0] = bucketOf(hist, ks[0]);
  const [b1] = bucketOf(hist, ks[ks.length - 1]);
  let count = 0;
  for (let b = b0; b <= b1; b++) count += hist[b];
  let p = 0;
  if (b0 !== b1) {
    // The ranks straddle buckets (rare): select among all their values.
    const sub = new Float64Array(count);
    for (let i = 0; i < length; i++) {
      const b = hi[2 * i + 1] >>> 16;
      if (b >= b0 && b <= b1) sub[p++] = a[i];
    }
    return ks.map((k) => selectKth(sub, k - below0));
  }
  // Branch-free copy of bucket b0 (a data-dependent branch here mispredicts often):
  // ((x ^ b0) − 1) >>> 31 is 1 when x = b0, else 0, for 16-bit x.
  const buf = scratch(count + 1);
  for (let i = 0; i < length; i++) {
    buf[p] = a[i];
    p += (((hi[2 * i + 1] >>> 16) ^ b0) - 1) >>> 31;
  }
  const sub = buf.subarray(0, count);
  const subHi = new Uint32Array(buf.buffer, 0, count * 2);
  const hist2 = new Int32Array(RADIX_BUCKETS);
  for (let i = 0; i < count; i++) hist2[subHi[2 * i + 1] & 0xffff]++;
  const [s0, below1] = bucketOf(hist2, ks[0] - below0);
  const [s1] = bucketOf(hist2, ks[ks.length - 1] - below0);
  let count2 = 0;
  for (let b = s0; b <= s1; b++) count2 += hist2[b];
  const fin = new Float64Array(count2);
  let q = 0;
  for (let i = 0; i < count; i++) {
    const l = subHi[2 * i + 1] & 0xffff;
    if (l >= s0 && l <= s1) fin[q++] = sub[i];
  }
  return ks.map((k) => selectKth(fin, k - below0 - below1));
}

let scratchBuf = new Float64Array(0);

/**
 * A reusable buffer of at least `length` values (contents undefined): a bucket holds ~10% of
 * the N² distances, megabytes that would page-fault afresh if allocated per call (see pool.ts).
 * Only buffers up to 8 MB are kept.
 */
function scratch(length: number): Float64Array {
  if (scratchBuf.length >= length) return scratchBuf;
  const b = new Float64Array(Math.max(length, 2 * scratchBuf.length));
  if (b.byteLength <= 8 * 1024 * 1024) scratchBuf = b;
  return b;
}

/** The bucket holding rank k of a histogram, and how many values lie in the buckets below. */
function bucketOf(hist: Int32Array, k: number): [number, number] {
  let below = 0;
  for (let b = 0; b < hist.length; b++) {
    if (below + hist[b] > k) return [b, below];
    below += hist[b];
  }
  throw new Error('select: the histogram does not cover every value');
}

/**
 * The median of all n² entries of a symmetric n×n matrix with a zero diagonal and non-negative
 * entries, given as its packed upper triangle with the diagonal (row i holds columns i…n−1;
 * n(n+1)/2 values, untouched). Same value as `medianOfSymmetricZeroDiagonal` / `np.median`
 * over the full matrix. `hist`: its radix histogram, when the caller built it.
 */
export function medianOfPackedSymmetric(
  packed: Float64Array,
  n: number,
  hist?: Int32Array,
): number {
  const len = (n * (n + 1)) / 2;
  if (packed.length < len) throw new Error('median: packed triangle too short');
  // Sorted full multiset = n diagonal zeros, then each off-diagonal value twice; sorted packed
  // values = n zeros (the diagonal; ties with zero distances are equal values), then each
  // off-diagonal value once. Full rank p ≥ n ↦ packed rank n + ⌊(p − n)/2⌋.
  const total = n * n;
  const toPacked = (p: number): number => (p < n ? -1 : n + Math.floor((p - n) / 2));
  const ranks = total % 2 === 1 ? [(total - 1) / 2] : [total / 2 - 1, total / 2];
  const packedRanks = ranks.map(toPacked);
  const wanted = [...new Set(packedRanks.filter((r) => r >= 0))];
  const values = wanted.length ? kthSmallestNonNegative(packed, len, wanted, hist) : [];
  const valueAt = (r: number): number => (r < 0 ? 0 : values[wanted.indexOf(r)]);
  const picked = packedRanks.map(valueAt);
  return picked.length === 1 ? picked[0] : (picked[0] + picked[1]) / 2;
}
