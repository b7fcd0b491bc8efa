/** The built-in studies, by id. */
import { architectureVariants } from './architecture';
import { emergence } from './emergence';
import { seedConvergence } from './seed-convergence';
import { sharedBase } from './shared-base';
import type { StudyDefinition } from './types';

export const STUDIES: readonly StudyDefinition[] = [
  seedConvergence,
  sharedBase,
  architectureVariants,
  emergence,
];

/** The study with this id; throws naming the known ids otherwise. */
export function getStudy(id: string): StudyDefinition {
  const s = STUDIES.find((x) => x.id === id);
  if (!s) throw new Error(`unknown study '${id}'; known: ${STUDIES.map((x) => x.id).join(', ')}`);
  return s;
}
