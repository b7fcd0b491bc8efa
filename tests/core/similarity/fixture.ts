/**
 * Locates the published CKA reference values: the project copy in tests/fixtures (always
 * present), and the shared original at <repo>/../shared/fixtures when it exists, so a drift
 * between the two is caught.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CkaFixture {
  source: string;
  X: number[][];
  Y: number[][];
  expected: { linear_cka: number; 'rbf_cka_threshold_0.5': number; debiased_linear_cka: number };
  tolerance: number;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const LOCAL_FIXTURE = path.join(repoRoot, 'tests/fixtures/cka-kornblith2019.json');
export const SHARED_FIXTURE = path.join(repoRoot, '../shared/fixtures/cka-kornblith2019.json');

export function loadFixture(file: string): CkaFixture | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CkaFixture) : undefined;
}
