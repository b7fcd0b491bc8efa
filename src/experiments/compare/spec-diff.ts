/**
 * The spec diff of a comparison: which fields differ between the experiments, with each
 * experiment's value. Two sources:
 *
 * - the stored specs, flattened to dotted paths (arrays are leaf values, compared whole);
 * - values derived from the runs, because a spec's base config is not what every run trained
 *   when axes vary a field: `effective.model.*` / `effective.training.*` hold the value the runs
 *   used (a sorted list when they differ within the experiment), and `runs.count`,
 *   `runs.initSeeds`, `runs.dataSeeds` the seeds actually trained.
 *
 * Identity and bookkeeping fields (name, notes, $schema, version) are left out: they always or
 * never differ and say nothing about the science.
 */
import type { Json, JsonObject, RunRow } from '../../../db/types';
import { storedVariant } from '../spec/create';
import type { SpecDiffEntry } from './types';

const SKIP = new Set(['name', 'notes', '$schema', 'version']);

/** JSON text with object keys sorted, so equal values compare equal. */
export function canonical(v: Json | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
    .join(',')}}`;
}

/** Flattens nested objects to dotted paths; arrays and primitives are leaves. */
export function flattenSpec(
  obj: JsonObject,
  prefix = '',
  out = new Map<string, Json>(),
): Map<string, Json> {
  for (const [k, v] of Object.entries(obj)) {
    if (!prefix && SKIP.has(k)) continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flattenSpec(v, path, out);
    else out.set(path, v);
  }
  return out;
}

export function categoryOf(path: string): SpecDiffEntry['category'] {
  const p = path.replace(/^effective\./, '');
  if (
    p.startsWith('runs.') ||
    p === 'initSeed' ||
    p === 'dataSeed' ||
    /\.(initSeed|dataSeed)$/.test(p)
  )
    return 'seeds';
  if (p.startsWith('dataset.')) return 'data';
  if (p.startsWith('model.')) return 'architecture';
  if (p.startsWith('training.')) return 'budget';
  if (p.startsWith('axes.')) return 'axes';
  if (p.startsWith('analysis.')) return 'analysis';
  return 'other';
}

/** Distinct values in first-seen order; one value stays a value, several become a sorted list. */
function collapse(values: Json[]): Json {
  const seen = new Map<string, Json>();
  for (const v of values) if (!seen.has(canonical(v))) seen.set(canonical(v), v);
  const distinct = [...seen.values()];
  if (distinct.length === 1) return distinct[0];
  return distinct.sort((a, b) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : canonical(a).localeCompare(canonical(b)),
  );
}

/** Values derived from an experiment's runs (see the file comment). */
export function derivedFields(runs: readonly RunRow[]): Map<string, Json> {
  const out = new Map<string, Json>();
  out.set('runs.count', runs.length);
  const uniqSorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
  out.set('runs.initSeeds', uniqSorted(runs.map((r) => r.initSeed)));
  out.set('runs.dataSeeds', uniqSorted(runs.map((r) => r.dataSeed)));
  const fields = new Map<string, Json[]>();
  for (const r of runs) {
    const v = storedVariant(r);
    for (const section of ['model', 'training'] as const)
      for (const [k, val] of Object.entries((v[section] ?? {}) as Record<string, Json>)) {
        const path = `effective.${section}.${k}`;
        fields.set(path, [...(fields.get(path) ?? []), val]);
      }
  }
  for (const [path, values] of fields) out.set(path, collapse(values));
  return out;
}

export interface DiffInput {
  spec: JsonObject;
  runs: readonly RunRow[];
}

/**
 * Fields whose values differ between the experiments (or every field with `includeEqual`),
 * spec fields first in path order, then derived ones.
 */
export function specDiff(
  experiments: readonly DiffInput[],
  opts: { includeEqual?: boolean } = {},
): SpecDiffEntry[] {
  const specFlat = experiments.map((e) => flattenSpec(e.spec));
  const derived = experiments.map((e) => derivedFields(e.runs));
  const entries: SpecDiffEntry[] = [];
  const add = (maps: Map<string, Json>[], isDerived: boolean) => {
    const paths = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
    for (const path of paths) {
      const values = maps.map((m) => m.get(path));
      const differs = new Set(values.map((v) => canonical(v))).size > 1;
      if (!differs && !opts.includeEqual) continue;
      entries.push({
        path,
        category: categoryOf(path),
        values: values.map((v) => (v === undefined ? null : v)),
        derived: isDerived,
      });
    }
  };
  add(specFlat, false);
  add(derived, true);
  return entries;
}
