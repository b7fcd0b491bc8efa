/** A run's tags and notes: the researcher's own labels, kept with the run in the store. */
import type { Handlers } from '../dispatcher';
import { notFound } from '../errors';
import type { LabContext } from '../lab-context';
import { runSummary } from '../summaries';

export function runNoteHandlers(ctx: LabContext): Pick<Handlers, 'annotateRun'> {
  return {
    annotateRun: ({ id, tags, notes }) => {
      if (!ctx.store.runs.get(id)) throw notFound('Run', String(id));
      // Tags are a set in the order first given: 'a, b, a' keeps 'a, b'.
      const unique = tags ? [...new Set(tags)] : undefined;
      const row = ctx.store.runs.annotate(id, { tags: unique, notes });
      ctx.events.emit({ type: 'experiments.changed' });
      return runSummary(ctx, row);
    },
  };
}
