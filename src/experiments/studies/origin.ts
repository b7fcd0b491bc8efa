/**
 * Where a study was started, in the words its experiments carry: their notes name the command
 * (`homolab study …`) or the app.
 */
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
