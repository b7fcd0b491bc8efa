/**
 * Ids on the command line: experiments print as `exp-N`, runs as `run-N`. A bare number means
 * whatever the command is about (an experiment for `show`, a run for `resume`).
 */
import { CliError, EXIT } from './exit-codes';

export type EntityRef = { kind: 'experiment' | 'run'; id: number };

export function parseRef(text: string, bare: 'experiment' | 'run'): EntityRef {
  const m = /^(?:(exp|experiment|e|run|r)[-:]?)?(\d+)$/i.exec(text.trim());
  if (!m)
    throw new CliError(
      `'${text}' is not an id; use exp-N for an experiment or run-N for a run`,
      EXIT.USAGE,
    );
  const prefix = m[1]?.toLowerCase();
  const kind = !prefix ? bare : prefix.startsWith('e') ? 'experiment' : 'run';
  return { kind, id: Number(m[2]) };
}

export const expId = (id: number) => `exp-${id}`;
export const runId = (id: number) => `run-${id}`;
