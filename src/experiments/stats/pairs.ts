/**
 * THE pair extractor over model × model matrices. A similarity matrix over K models holds
 * K(K−1)/2 pair values that are not independent (each model is in K − 1 of them), so every
 * statistic here keeps track of which models a pair comes from: the resampling and relabelling
 * unit is the model, never the pair.
 *
 * Cells may be null or NaN ("undefined"): they are skipped. A model is never paired with
 * itself, also when a resample draws it twice.
 */
import { mean } from './describe';

/** A square model × model matrix as rows; null/NaN cells are undefined. */
export type SquareMatrix = readonly (readonly (number | null)[])[];
/** Groups of model indices (e.g. seed groups, study arms): pairs are formed within a group. */
export type Groups = readonly (readonly number[])[];

/** One defined pair value with the two models it comes from. */
export interface Pair {
  i: number;
  j: number;
  value: number;
}

const defined = (v: number | null | undefined): v is number =>
  typeof v === 'number' && Number.isFinite(v);

/** Every model index of the matrix, as one group. */
export const allModels = (m: SquareMatrix): number[][] => [m.map((_, i) => i)];

/**
 * The defined pairs of distinct models within each group (members may repeat, as in a
 * bootstrap resample: a repeated model pairs with the others once per copy).
 */
export function extractPairs(m: SquareMatrix, groups: Groups = allModels(m)): Pair[] {
  const out: Pair[] = [];
  for (const g of groups)
    for (let a = 0; a < g.length; a++)
      for (let b = a + 1; b < g.length; b++) {
        const i = g[a];
        const j = g[b];
        if (i === j) continue;
        const v = m[i]?.[j];
        if (defined(v)) out.push({ i, j, value: v });
      }
  return out;
}

/** The values of `extractPairs`. */
export function pairValues(m: SquareMatrix, groups: Groups = allModels(m)): number[] {
  return extractPairs(m, groups).map((p) => p.value);
}

/** Mean over the pairs within groups; NaN when there is none. */
export function pairMean(m: SquareMatrix, groups: Groups = allModels(m)): number {
  return mean(pairValues(m, groups));
}

/** Mean over pairs (i < j) for which `keep(i, j)` holds; NaN when there is none. */
export function meanPairs(m: SquareMatrix, keep: (i: number, j: number) => boolean): number {
  const v: number[] = [];
  for (let i = 0; i < m.length; i++)
    for (let j = i + 1; j < m.length; j++) if (keep(i, j) && defined(m[i][j])) v.push(m[i][j]!);
  return mean(v);
}

/** Distinct models that appear in at least one defined pair. */
export function modelsIn(pairs: readonly Pair[]): number[] {
  return [...new Set(pairs.flatMap((p) => [p.i, p.j]))].sort((a, b) => a - b);
}

/** The sub-matrix of models `idx` (in that order). */
export function subMatrix(m: SquareMatrix, idx: readonly number[]): (number | null)[][] {
  return idx.map((i) => idx.map((j) => m[i][j]));
}

/** Cell-wise a − b (null where either is undefined): e.g. the change of similarity over init. */
export function matrixDifference(a: SquareMatrix, b: SquareMatrix): (number | null)[][] {
  return a.map((row, i) =>
    row.map((v, j) => (defined(v) && defined(b[i]?.[j]) ? v - b[i][j]! : null)),
  );
}
