/**
 * Seed groups: an experiment's runs that share every setting but their seeds (weight init and
 * data order). Cross-seed similarity is only meaningful inside a group — across groups the
 * architecture or budget differs too — so every pair statistic of a comparison is a
 * within-group statistic, pooled over the experiment's groups.
 */
import type { RunRow } from '../../../db/types';
import { storedVariant } from '../spec/create';
import type { SeedGroup } from './types';

const SEED_AXES = new Set(['initSeed', 'dataSeed']);

function sortKeys(o: object | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

/** Identity of a run's configuration with both seeds left out. */
export function seedGroupKey(run: RunRow): string {
  const v = storedVariant(run);
  return JSON.stringify({ model: sortKeys(v.model), training: sortKeys(v.training) });
}

/** Groups `runs` (any order) into seed groups, ordered by their first run id. */
export function seedGroupsOf(runs: readonly RunRow[]): SeedGroup[] {
  const byKey = new Map<string, RunRow[]>();
  for (const r of [...runs].sort((a, b) => a.id - b.id)) {
    const k = seedGroupKey(r);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const groups = [...byKey.values()];
  return groups.map((members, i) => {
    const axes: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(storedVariant(members[0]).axes ?? {}))
      if (!SEED_AXES.has(k)) axes[k] = v;
    const label = Object.entries(axes)
      .map(([k, v]) => `${k.includes('.') ? k.slice(k.indexOf('.') + 1) : k}=${v}`)
      .join(' ');
    return {
      id: `g${i}`,
      label: groups.length === 1 ? '' : label || `group ${i + 1}`,
      axes,
      runIds: members.map((r) => r.id),
      initSeeds: members.map((r) => r.initSeed),
      dataSeeds: members.map((r) => r.dataSeed),
    };
  });
}
