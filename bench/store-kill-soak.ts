/**
 * Soak version of the store's kill test: many more SIGKILLs than the test suite's 50.
 * `npx tsx bench/store-kill-soak.ts [--kills 300] [--seed 7] [--json]`; exits non-zero on the
 * first violated guarantee (integrity, acknowledged commits, checkpoint completeness, recovery).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKillTest } from '../tests/db/kill-harness';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const json = args.includes('--json');
const dir = mkdtempSync(join(tmpdir(), 'homolab-kill-soak-'));
try {
  const report = await runKillTest({
    dbPath: join(dir, 'soak.db'),
    kills: opt('--kills', 300),
    seed: opt('--seed', 7),
    log: json ? undefined : (l) => console.error(l),
  });
  console.log(JSON.stringify({ bench: 'store-kill-soak', ok: true, ...report }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
