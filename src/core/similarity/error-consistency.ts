/**
 * Agreement of *mistakes* rather than of outputs.
 *
 * - Error consistency κ (Geirhos, Meding & Wichmann, "Beyond accuracy: quantifying trial-by-trial
 *   behaviour of CNNs and humans by measuring error consistency", NeurIPS 2020): Cohen's κ on
 *   per-example correctness. With c_obs the fraction of examples where both models are right or
 *   both wrong, and p_A, p_B their accuracies, the agreement expected from independent models
 *   with those accuracies is c_exp = p_A·p_B + (1−p_A)(1−p_B), and
 *     κ = (c_obs − c_exp) / (1 − c_exp)  ∈ [−1, 1].
 *   κ = 0: no more shared errors than chance; 1: identical correctness. Undefined (NaN) when
 *   c_exp = 1, i.e. both models are right everywhere or both wrong everywhere.
 * - Outcome homogenization (Bommasani, Creel, Kumar, Jurafsky & Liang, "Picking on the Same
 *   Person: Does Algorithmic Monoculture lead to Outcome Homogenization?", NeurIPS 2022),
 *   individual level, failure outcome: the observed rate of systemic failure (every one of the
 *   k models fails on the same example) over the rate expected if failures were independent,
 *     H = P(all k fail) / Π_i P(model i fails).
 *   H = 1: failures independent; H > 1: failures pile onto the same examples (homogenized);
 *   k identical models with error rate ε give ε / ε^k = ε^(1−k). Undefined (NaN) when some
 *   model never fails.
 * Both invariances: only correctness matters, so any change of outputs that keeps every
 * example's right/wrong status leaves them unchanged. Cost O(k·N).
 */

type Correctness = ArrayLike<number | boolean>;

function asBit(v: number | boolean, what: string, i: number): number {
  if (v === true || v === 1) return 1;
  if (v === false || v === 0) return 0;
  throw new Error(`${what}: correctness must be 0/1 or boolean, got ${String(v)} at ${i}`);
}

/** Error consistency κ between two models' per-example correctness (1 = right, 0 = wrong). */
export function errorConsistency(a: Correctness, b: Correctness): number {
  if (a.length !== b.length || a.length === 0)
    throw new Error(`error consistency: ${a.length} vs ${b.length} examples`);
  const n = a.length;
  let ca = 0;
  let cb = 0;
  let same = 0;
  for (let i = 0; i < n; i++) {
    const x = asBit(a[i], 'error consistency', i);
    const y = asBit(b[i], 'error consistency', i);
    ca += x;
    cb += y;
    if (x === y) same++;
  }
  const pa = ca / n;
  const pb = cb / n;
  const cObs = same / n;
  const cExp = pa * pb + (1 - pa) * (1 - pb);
  if (cExp >= 1) return NaN;
  return (cObs - cExp) / (1 - cExp);
}

/** Outcome homogenization H across k ≥ 2 models (rows of `models`: per-example correctness). */
export function outcomeHomogenization(models: readonly Correctness[]): number {
  const k = models.length;
  if (k < 2) throw new Error(`outcome homogenization: needs at least 2 models, got ${k}`);
  const n = models[0].length;
  if (n === 0) throw new Error('outcome homogenization: no examples');
  for (const m of models)
    if (m.length !== n) throw new Error('outcome homogenization: models differ in example count');
  let allFail = 0;
  const fails = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let every = true;
    for (let m = 0; m < k; m++) {
      const wrong = 1 - asBit(models[m][i], 'outcome homogenization', i);
      fails[m] += wrong;
      if (!wrong) every = false;
    }
    if (every) allFail++;
  }
  // Work in logs: Π ε_i underflows for many models with small error rates.
  let logExpected = 0;
  for (let m = 0; m < k; m++) {
    if (fails[m] === 0) return NaN;
    logExpected += Math.log(fails[m] / n);
  }
  if (allFail === 0) return 0;
  return Math.exp(Math.log(allFail / n) - logExpected);
}
