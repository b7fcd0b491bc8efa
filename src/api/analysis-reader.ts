/**
 * Normalises stored analysis rows into pairwise values the similarity views index by
 * (measure, run pair, layer pair, step). Accepted row shapes (kind = measure name):
 *   - a pair:             runIds [a, b], layers 'L' | ['LA', 'LB'] | null, result number | { value }
 *   - model × model:      runIds [r1 … rk], layers 'L' | null, result { matrix: number[][] }
 *   - layer × layer:      runIds [a, b], result { layers: string[], matrix: number[][] }
 *                         (or { layersA, layersB, matrix }) — rows A's layers, columns B's
 *   - a k-model scalar:   runIds [r1 … rk] (k ≠ 2), result { value } — e.g. outcome
 *                         homogenization H over all runs; kept in `groups`, not in `pairs`
 * Measures without layers (output measures) are filed under the layer 'output'. These are the
 * shapes the analysis step (src/experiments/analysis/run-analysis.ts) writes; per-run rows
 * (weight-trajectory) are not pairwise and are skipped here.
 */
import type { AnalysisRow, Json } from '../../db/types';

export interface PairValue {
  measure: string;
  runA: number;
  runB: number;
  layerA: string;
  layerB: string;
  step: number | null;
  value: number;
}

/** One value over a set of runs (not a pair), e.g. outcome homogenization H over k models. */
export interface GroupValue {
  measure: string;
  runIds: number[];
  layer: string;
  step: number | null;
  value: number;
}

export interface AnalysisData {
  pairs: PairValue[];
  groups: GroupValue[];
  measures: string[];
  layers: string[];
  steps: number[];
  runIds: number[];
}

const OUTPUT_LAYER = 'output';
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const isObj = (v: Json): v is { [k: string]: Json } =>
  !!v && typeof v === 'object' && !Array.isArray(v);

function layerPair(layers: Json): [string, string] {
  if (typeof layers === 'string') return [layers, layers];
  if (typeof layers === 'number') return [String(layers), String(layers)];
  if (Array.isArray(layers) && layers.length === 2) return [String(layers[0]), String(layers[1])];
  if (isObj(layers) && 'a' in layers && 'b' in layers) return [String(layers.a), String(layers.b)];
  return [OUTPUT_LAYER, OUTPUT_LAYER];
}

function matrixOf(v: Json | undefined): (number | null)[][] | null {
  if (!Array.isArray(v)) return null;
  return v.map((row) => (Array.isArray(row) ? row.map((x) => num(x)) : []));
}

/** Natural layer order: embedding, block 0…n, final norm, output; else alphabetical. */
function layerRank(l: string): [number, number, string] {
  const lower = l.toLowerCase();
  const n = /(\d+)/.exec(lower);
  if (lower.includes('emb')) return [0, 0, l];
  if (n && /(block|layer|^l\d|^\d)/.test(lower)) return [1, Number(n[1]), l];
  if (lower.includes('final') || lower.includes('norm')) return [2, 0, l];
  if (lower === OUTPUT_LAYER || lower.includes('logit')) return [3, 0, l];
  return [1, n ? Number(n[1]) : 1e9, l];
}

export function sortLayers(layers: Iterable<string>): string[] {
  return [...new Set(layers)].sort((a, b) => {
    const x = layerRank(a);
    const y = layerRank(b);
    return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]);
  });
}

export function readAnalyses(rows: AnalysisRow[]): AnalysisData {
  const pairs: PairValue[] = [];
  const groups: GroupValue[] = [];
  const runIds: number[] = [];
  const seen = (id: number) => !runIds.includes(id) && runIds.push(id);
  for (const row of rows) {
    const measure = row.kind;
    const res = row.result;
    row.runIds.forEach(seen);
    const base = { measure, step: row.step };
    if (
      isObj(res) &&
      matrixOf(res.matrix) &&
      row.runIds.length === 2 &&
      (Array.isArray(res.layers) || Array.isArray(res.layersA))
    ) {
      const la = ((res.layersA ?? res.layers) as Json[]).map(String);
      const lb = ((res.layersB ?? res.layers) as Json[]).map(String);
      const m = matrixOf(res.matrix)!;
      la.forEach((a, i) =>
        lb.forEach((b, j) => {
          const v = m[i]?.[j];
          if (v !== null && v !== undefined)
            pairs.push({
              ...base,
              runA: row.runIds[0],
              runB: row.runIds[1],
              layerA: a,
              layerB: b,
              value: v,
            });
        }),
      );
      continue;
    }
    const [layerA, layerB] = layerPair(row.layers);
    if (isObj(res) && matrixOf(res.matrix)) {
      const m = matrixOf(res.matrix)!;
      row.runIds.forEach((a, i) =>
        row.runIds.forEach((b, j) => {
          const v = m[i]?.[j];
          if (i < j && v !== null && v !== undefined)
            pairs.push({ ...base, runA: a, runB: b, layerA, layerB, value: v });
        }),
      );
      continue;
    }
    const v = num(res) ?? (isObj(res) ? num(res.value) : null);
    if (v !== null && row.runIds.length === 2)
      pairs.push({ ...base, runA: row.runIds[0], runB: row.runIds[1], layerA, layerB, value: v });
    else if (v !== null && row.runIds.length > 2)
      groups.push({ ...base, runIds: [...row.runIds], layer: layerA, value: v });
  }
  // The same value can arrive twice (a model × model row and the diagonal of a layer × layer
  // row); keep one per (measure, runs, layers, step).
  const seenPair = new Set<string>();
  const unique = pairs.filter((p) => {
    const [a, b, la, lb] =
      p.runA <= p.runB
        ? [p.runA, p.runB, p.layerA, p.layerB]
        : [p.runB, p.runA, p.layerB, p.layerA];
    const key = `${p.measure}|${a}|${b}|${la}|${lb}|${p.step}`;
    if (seenPair.has(key)) return false;
    seenPair.add(key);
    return true;
  });
  return {
    pairs: unique,
    groups,
    measures: [...new Set(unique.map((p) => p.measure))].sort(),
    layers: sortLayers(unique.flatMap((p) => [p.layerA, p.layerB])),
    steps: [...new Set(unique.map((p) => p.step).filter((s): s is number => s !== null))].sort(
      (a, b) => a - b,
    ),
    runIds: runIds.sort((a, b) => a - b),
  };
}
