/**
 * Saved comparisons: a named comparison (its experiments, options and the numbers as computed)
 * kept in the store and reopened later — as saved, or recomputed from the store's current
 * contents with the same options.
 *
 * The store has no table for comparisons, so each is one analysis row of kind `comparison` with
 * no experiment and no runs (so it neither cascades with nor shows up among an experiment's
 * analyses): `params = { view: 'comparison', name, experimentIds, format }`, `result = { options,
 * comparison }`. A dedicated `comparisons` table (with foreign keys to its experiments) is what
 * the store should add; until then an experiment deleted after saving makes a refresh fall back
 * to the saved snapshot, with a note.
 */
import type { Json, JsonObject } from '../../../db/types';
import type { Store } from '../../../db/store';
import { compareExperiments, type CompareOptions } from './compare';
import type { CompareStore } from './store';
import type { Comparison, SavedComparison } from './types';

export const COMPARISON_KIND = 'comparison';
const FORMAT = 1;

type SavedStore = CompareStore & Pick<Store, 'analyses'>;

/** The options that are worth saving (plain data; `analyze` and `now` are per call). */
export type SavedCompareOptions = Omit<CompareOptions, 'analyze' | 'now'>;

function savableOptions(opts: SavedCompareOptions): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(opts))
    if (v !== undefined && k !== 'analyze' && k !== 'now') out[k] = v as Json;
  return out;
}

function toSaved(row: {
  id: number;
  params: JsonObject;
  createdAt: number;
  result: Json;
}): SavedComparison {
  const p = row.params;
  const result = (row.result ?? {}) as JsonObject;
  return {
    id: row.id,
    name: String(p.name ?? ''),
    experimentIds: Array.isArray(p.experimentIds) ? p.experimentIds.map(Number) : [],
    createdAt: row.createdAt,
    options: (result.options ?? {}) as JsonObject,
  };
}

export function validateName(name: string): string {
  const n = name.trim();
  if (!n) throw new RangeError('a saved comparison needs a name');
  if (n.length > 200) throw new RangeError('a comparison name has at most 200 characters');
  return n;
}

/**
 * Saves `comparison` under `name`. With `replace`, earlier saved comparisons of the same name
 * are deleted in the same transaction (save-over); otherwise names may repeat.
 */
export function saveComparison(
  store: SavedStore & Pick<Store, 'transaction'>,
  name: string,
  comparison: Comparison,
  opts: { options?: SavedCompareOptions; replace?: boolean } = {},
): SavedComparison {
  const n = validateName(name);
  return store.transaction(() => {
    if (opts.replace)
      for (const s of listSavedComparisons(store)) if (s.name === n) store.analyses.delete(s.id);
    const row = store.analyses.create({
      experimentId: null,
      kind: COMPARISON_KIND,
      runIds: [],
      params: {
        view: 'comparison',
        name: n,
        experimentIds: comparison.experimentIds,
        format: FORMAT,
      },
      result: {
        options: savableOptions(opts.options ?? settingsAsOptions(comparison)),
        comparison: comparison as unknown as Json,
      },
    });
    return toSaved(row);
  });
}

/** The options that reproduce a comparison's settings. */
export function settingsAsOptions(c: Comparison): SavedCompareOptions {
  const s = c.settings;
  return {
    reference: s.reference,
    similarityMeasure: s.similarityMeasure,
    step: s.step,
    gridPoints: s.gridPoints,
    level: s.level,
    resamples: s.resamples,
    permutations: s.permutations,
    seed: s.seed,
    metrics: s.metrics,
  };
}

/** Every saved comparison, oldest first. */
export function listSavedComparisons(store: Pick<Store, 'analyses'>): SavedComparison[] {
  return store.analyses
    .list({ kind: COMPARISON_KIND })
    .filter((r) => r.experimentId === null)
    .map(toSaved);
}

export interface OpenedComparison {
  saved: SavedComparison;
  comparison: Comparison;
  /** True when recomputed from the store now, false when it is the saved snapshot. */
  refreshed: boolean;
  notes: string[];
}

/**
 * Reopens a saved comparison: the snapshot as saved, or with `refresh` recomputed from the
 * store with the saved options (falling back to the snapshot, with a note, when one of its
 * experiments no longer exists). Throws `NotFoundError` for an unknown id.
 */
export async function openSavedComparison(
  store: SavedStore,
  id: number,
  opts: { refresh?: boolean } = {},
): Promise<OpenedComparison> {
  const row = store.analyses.require(id);
  if (row.kind !== COMPARISON_KIND)
    throw new RangeError(`analysis ${id} is not a saved comparison`);
  const saved = toSaved(row);
  const snapshot = (row.result as JsonObject).comparison as unknown as Comparison;
  if (!opts.refresh) return { saved, comparison: snapshot, refreshed: false, notes: [] };
  const gone = saved.experimentIds.filter((e) => !store.experiments.get(e));
  if (gone.length)
    return {
      saved,
      comparison: snapshot,
      refreshed: false,
      notes: [`experiment(s) ${gone.join(', ')} no longer exist: showing the saved snapshot`],
    };
  const comparison = await compareExperiments(
    store,
    saved.experimentIds,
    saved.options as SavedCompareOptions,
  );
  return { saved, comparison, refreshed: true, notes: [] };
}

/** Deletes a saved comparison; false when there was none with that id. */
export function deleteSavedComparison(store: Pick<Store, 'analyses'>, id: number): boolean {
  const row = store.analyses.get(id);
  if (!row || row.kind !== COMPARISON_KIND) return false;
  return store.analyses.delete(id);
}
