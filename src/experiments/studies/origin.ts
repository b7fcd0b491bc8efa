/**
 * Where a study was started, in the words its experiments and report carry: the notes name the
 * command (`homolab study …`) or the app, and the report names the backend its runs actually
 * trained on (not the 'auto' that was asked for).
 */
import type { Store } from '../../../db/store';
import type { ExperimentSpecInput } from '../spec/spec';
import type { StudyContext } from './types';

const CLI_NOTE = /^Created by `homolab study ([\w-]+) --scale (\w+)`/;

/** The spec with its notes naming how the study was started (the definitions write the CLI's). */
export function withOrigin(ctx: StudyContext, spec: ExperimentSpecInput): ExperimentSpecInput {
  if (ctx.origin !== 'app' || !spec.notes) return spec;
  return {
    ...spec,
    notes: spec.notes.replace(CLI_NOTE, (_, id: string, scale: string) => {
      return `Created from the app (study ${id}, scale ${scale})`;
    }),
  };
}

/** The backends the experiments' runs trained on ('wasm', 'webgpu, wasm', …), or null. */
export function backendsUsed(store: Store, experimentIds: readonly number[]): string | null {
  const used = new Set<string>();
  for (const id of experimentIds)
    for (const r of store.runs.listByExperiment(id)) if (r.backend) used.add(r.backend);
  return used.size ? [...used].sort().join(', ') : null;
}
