/**
 * Order statistics without a full sort (Hoare quickselect, median-of-three pivot), for the
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
