/**
 * Saved comparisons: a named comparison (its experiments, options and the numbers as computed)
 * kept in the store's `comparisons` table and reopened later — as saved, or recomputed from the
 * store's current contents with the same options. An experiment deleted after saving leaves
 * its link empty (never pointing at a later experiment), and a refresh then falls back to the
 * saved snapshot, with a note.
 */
import type { ComparisonRow, Json, JsonObject } from '../../../db/types';
import { NotFoundError } from '../../../db/errors';
import type { Store } from '../../../db/store';
import { compareExperiments, type CompareOptions } from './compare';
import type { CompareStore } from './store';
import type { Comparison, SavedComparison } from './types';

/** Version of the stored snapshot's shape. */
const FORMAT = 1;

type SavedStore = CompareStore & Pick<Store, 'comparisons'>;

/** The options that are worth saving (plain data; `analyze` and `now` are per call). */
export type SavedCompareOptions = Omit<CompareOptions, 'analyze' | 'now'>;

function savableOptions(opts: SavedCompareOptions): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(opts))
    if (v !== undefined && k !== 'analyze' && k !== 'now') out[k] = v as Json;
  return out;
}

function toSaved(row: ComparisonRow): SavedComparison {
  return {
    id: row.id,
    name: row.name,
    experimentIds: row.experimentIds.filter((e): e is number => e !== null),
    createdAt: row.createdAt,
    options: row.options,
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
  store: Pick<Store, 'comparisons' | 'transaction'>,
  name: string,
  comparison: Comparison,
  opts: { options?: SavedCompareOptions; replace?: boolean } = {},
): SavedComparison {
  const n = validateName(name);
  return store.transaction(() => {
    if (opts.replace)
      for (const s of store.comparisons.list()) if (s.name === n) store.comparisons.delete(s.id);
    const row = store.comparisons.create({
      name: n,
      experimentIds: comparison.experimentIds,
      options: savableOptions(opts.options ?? settingsAsOptions(comparison)),
      snapshot: comparison as unknown as Json,
      format: FORMAT,
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
export function listSavedComparisons(store: Pick<Store, 'comparisons'>): SavedComparison[] {
  return store.comparisons.list().map(toSaved);
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
  const row = store.comparisons.get(id);
  if (!row) throw new NotFoundError('comparison', id);
  const saved = toSaved(row);
  const snapshot = row.snapshot as unknown as Comparison;
  if (!opts.refresh) return { saved, comparison: snapshot, refreshed: false, notes: [] };
  const gone = row.experimentIds.flatMap((e, i) =>
    e === null ? [snapshot.experiments?.[i]?.name ?? row.experimentUids[i]] : [],
  );
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
export function deleteSavedComparison(store: Pick<Store, 'comparisons'>, id: number): boolean {
  return store.comparisons.delete(id);
}
