/**
 * Experiment comparison: compare whole experiments side by side.
 *
 *   const c = await compareExperiments(store, [a, b]);  // a pure read, JSON-serialisable
 *   comparisonToCsv(c)    // one row per experiment
 *   comparisonToHtml(c)   // standalone report, every number embedded as JSON
 *   saveComparison(store, 'post-norm vs pre-norm', c); listSavedComparisons(store);
 *   openSavedComparison(store, id, { refresh: true }); deleteSavedComparison(store, id);
 *
 * See docs/compare.md for what each number means and how its interval is formed.
 */
export { compareExperiments, type CompareOptions } from './compare';
export { comparisonToCsv, csvHeader, csvField } from './csv';
export { comparisonToHtml, comparisonReport } from './html';
export {
  saveComparison,
  listSavedComparisons,
  openSavedComparison,
  deleteSavedComparison,
  settingsAsOptions,
  type OpenedComparison,
  type SavedCompareOptions,
} from './saved';
export { specDiff, flattenSpec, derivedFields, canonical } from './spec-diff';
export { seedGroupsOf, seedGroupKey } from './seed-groups';
export type { CompareStore } from './store';
export * from './types';
