/**
 * Start-up time of the `homolab` command (`npm run bench:cli-startup -- --json`): wall-clock
 * medians of `homolab --version` and `homolab list` (a store with two experiments) against bare
 * `node -e 0`, each run `--runs` times (default 5), interleaved so that load on this shared
 * machine affects all three alike. Target: both within 4× of bare Node. `--bin FILE` times
 * another checkout's bin/homolab.js (a before/after comparison).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as StoreModule from '../db/store';
import type * as CreateModule from '../src/experiments/spec/create';
import type * as PresetsModule from '../src/experiments/spec/presets';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const binAt = args.indexOf('--bin');
const bin = binAt >= 0 ? args[binAt + 1] : join(root, 'bin/homolab.js');
const json = args.includes('--json');
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;

// The store is made by the timed checkout's own code (its schema version).
const checkout = join(dirname(bin), '..');
const load = <T>(path: string) => import(pathToFileURL(join(checkout, path)).href) as Promise<T>;
const { openStore } = await load<typeof StoreModule>('db/store.ts');
const { createExperiment } = await load<typeof CreateModule>('src/experiments/spec/create.ts');
const { getPreset } = await load<typeof PresetsModule>('src/experiments/spec/presets.ts');
const dir = mkdtempSync(join(tmpdir(), 'homolab-cli-startup-'));
const db = join(dir, 'lab.sqlite');
const store = openStore(db);
for (const id of ['seed-sweep', 'seed-sweep']) createExperiment(store, getPreset(id).spec('tiny'));
store.close();

const commands: Record<string, string[]> = {
  node: ['-e', '0'],
  version: [bin, '--version'],
  list: [bin, 'list', '--db', db],
};

function once(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

// One untimed pass: the page cache, and a first-run build of the CLI if there is none.
for (const argv of Object.values(commands)) once(argv);
const times: Record<string, number[]> = { node: [], version: [], list: [] };
for (let i = 0; i < runs; i++)
  for (const [name, argv] of Object.entries(commands)) times[name].push(once(argv));
rmSync(dir, { recursive: true, force: true });

const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(median(v))]));
const result = {
  runs,
  medianMs: ms,
  ratio: { version: round(ms.version / ms.node), list: round(ms.list / ms.node) },
  target: 4,
  loadAverage: round(loadavg()[0]),
};
if (json) console.log(JSON.stringify(result));
else
  console.log(
    `node -e 0 ${ms.node} ms; homolab --version ${ms.version} ms (${result.ratio.version}×); ` +
      `homolab list ${ms.list} ms (${result.ratio.list}×); median of ${runs}, load ${result.loadAverage}`,
  );
