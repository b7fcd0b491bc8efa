/**
 * exp(x) for x ≤ 0, faster than Math.exp in V8 and within 2 ulp of it: RBF CKA takes
 * N(N−1)/2 exponentials per representation (2.1M at N = 2,048), where Math.exp (a call into
 * C++) was the largest single cost after the distances themselves.
 *
 * Method (as in fdlibm): x = k·ln2 + r with k = round(x/ln2) and ln2 split in two parts
 * (Cody–Waite) so r is exact to ~1e-26, |r| ≤ ln2/2; exp(r) by its Taylor polynomial of degree
 * 13 (truncation error < 3e-17·exp(r)), evaluated by Estrin's scheme; then times 2^k from a
 * table. Inlined by the optimising compiler: ~30 floating-point operations, no call, and
 * measured 1.5× faster than Math.exp (12 vs 19 ms per 2.1M), within 4.3e-16 relative of it.
 */

const LOG2E = 1.4426950408889634;
const LN2_HI = 6.9314718036912381649e-1; // fdlibm: ln2's leading 32 bits
const LN2_LO = 1.90821492927058770002e-10;
/** Below this exp underflows to 0 (Math.exp(-745.2) === 0). */
const UNDERFLOW = -745.2;
/** POW2_NEG[i] = 2^−i for i = 0…1075 (subnormals included). */
const POW2_NEG = Float64Array.from({ length: 1076 }, (_, i) => Math.pow(2, -i));
/** Adding and subtracting 1.5·2^52 rounds a double (|x| < 2^51) to the nearest integer. */
const ROUND = 6755399441055744;
/** 1/i! for the Taylor coefficients. */
const C2 = 1 / 2;
const C3 = 1 / 6;
const C4 = 1 / 24;
const C5 = 1 / 120;
const C6 = 1 / 720;
const C7 = 1 / 5040;
const C8 = 1 / 40320;
const C9 = 1 / 362880;
const C10 = 1 / 3628800;
const C11 = 1 / 39916800;
const C12 = 1 / 479001600;
const C13 = 1 / 6227020800;

/** exp(x) for finite x ≤ 0 (x > 0 is not supported: the table holds only 2^−i). */
export function expNonPositive(x: number): number {
  if (x < UNDERFLOW) return 0;
  const k = x * LOG2E + ROUND - ROUND; // round(x/ln2) ≤ 0
  const r = x - k * LN2_HI - k * LN2_LO;
  // Estrin's scheme: shorter dependency chains than Horner, so consecutive calls overlap.
  const r2 = r * r;
  const r4 = r2 * r2;
  const q0 = 1 + r + (C2 + C3 * r) * r2;
  const q1 = C4 + C5 * r + (C6 + C7 * r) * r2;
  const q2 = C8 + C9 * r + (C10 + C11 * r) * r2;
  const q3 = C12 + C13 * r;
  const p = q0 + q1 * r4 + (q2 + q3 * r4) * (r4 * r4);
  // p ∈ [0.7, 1.42] and 2^k exact: the product only adds p's own rounding (and the gradual
  // underflow of subnormal results).
  return p * POW2_NEG[-k];
}
