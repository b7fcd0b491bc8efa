/**
 * Experiment comparison over the comparison core (src/experiments/compare): compute,
 * export (CSV summary, standalone HTML report, JSON), save, list, reopen and delete. Analyses a
 * comparison needs are computed beforehand with `analyzeExperiment` (progress as events), so a
 * comparison here is a pure read of the store.
 */
import {
  compareExperiments,
  comparisonToCsv,
  comparisonToHtml,
  deleteSavedComparison,
  listSavedComparisons,
  openSavedComparison,
  saveComparison,
  type CompareOptions,
} from '../../experiments/compare';
import type { Comparison } from '../../experiments/compare/types';
import { NotFoundError } from '../../../db/errors';
import type { Handlers } from '../dispatcher';
import { ApiFailure, notFound } from '../errors';
import type { LabContext } from '../lab-context';
import type { FilePayload } from '../types';

/** Core errors as API failures: unknown ids → not_found, bad options → invalid_input. */
async function guarded<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof NotFoundError) throw new ApiFailure('not_found', err.message);
    if (err instanceof RangeError || err instanceof TypeError)
      throw new ApiFailure('invalid_input', err.message);
    throw err;
  }
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'comparison';

/** The file a comparison exports to, named after its experiments (or the saved name). */
export function comparisonFile(
  c: Comparison,
  format: 'csv' | 'html' | 'json',
  title: string,
): FilePayload {
  const base = `homolab-compare-${slug(title)}`;
  if (format === 'csv')
    return {
      filename: `${base}.csv`,
      mime: 'text/csv',
      encoding: 'utf8',
      data: comparisonToCsv(c),
    };
  if (format === 'html')
    return {
      filename: `${base}.html`,
      mime: 'text/html',
      encoding: 'utf8',
      data: comparisonToHtml(c, { title }),
    };
  return {
    filename: `${base}.json`,
    mime: 'application/json',
    encoding: 'utf8',
    data: `${JSON.stringify(c, null, 2)}\n`,
  };
}

export function compareHandlers(
  ctx: LabContext,
): Pick<
  Handlers,
  | 'compareExperiments'
  | 'exportComparison'
  | 'saveComparison'
  | 'listComparisons'
  | 'openComparison'
  | 'deleteComparison'
> {
  const { store } = ctx;
  const compute = (ids: number[], options: CompareOptions) =>
    guarded(() => compareExperiments(store, ids, options));
  const defaultTitle = (c: Comparison) =>
    c.experiments.map((e) => e.name).join(' vs ') || 'comparison';

  return {
    compareExperiments: ({ experimentIds, options }) => compute(experimentIds, options),

    exportComparison: async ({ format, savedId, experimentIds, options, title }) => {
      if (savedId !== undefined) {
        const opened = await guarded(() => openSavedComparison(store, savedId));
        return comparisonFile(opened.comparison, format, title ?? opened.saved.name);
      }
      const c = await compute(experimentIds!, options);
      return comparisonFile(c, format, title ?? defaultTitle(c));
    },

    saveComparison: async ({ name, experimentIds, options, replace }) => {
      const c = await compute(experimentIds, options);
      return guarded(() => saveComparison(store, name, c, { options, replace }));
    },

    listComparisons: () => listSavedComparisons(store),

    openComparison: ({ id, refresh }) =>
      guarded(async () => {
        const saved = listSavedComparisons(store).find((s) => s.id === id);
        if (!saved) throw notFound('Saved comparison', String(id));
        return openSavedComparison(store, id, { refresh });
      }),

    deleteComparison: ({ id }) => {
      if (!deleteSavedComparison(store, id)) throw notFound('Saved comparison', String(id));
      return { ok: true };
    },
  };
}
