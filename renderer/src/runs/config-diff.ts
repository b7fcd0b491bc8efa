/** The config diff of selected runs: one row per key whose value differs between them. */
import { varyingKeys } from './run-groups';

export interface DiffRow {
  key: string;
  /** Value per run, in the order the runs were given ('—' when a run lacks the key). */
  values: string[];
}

const show = (v: unknown) =>
  v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);

export function configDiff(runs: { config: Record<string, unknown> }[]): DiffRow[] {
  const keys = [...varyingKeys(runs.map((r) => r.config))].sort();
  return keys.map((key) => ({ key, values: runs.map((r) => show(r.config[key])) }));
}
