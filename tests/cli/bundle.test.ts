/**
 * The prebuilt CLI (scripts/build-cli.mjs, run by bin/homolab.js): built into a scratch folder
 * of this checkout (its externals resolve from node_modules), it starts `--version` and `list`
 * without loading the training and analysis stack, emits the training worker next to itself,
 * runs from any folder, and is found stale when a source it was built from is newer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store';
import { createExperiment } from '../../src/experiments/spec/create';
import { getPreset } from '../../src/experiments/spec/presets';
import { BUILD_INFO, buildCli, staleness } from '../../scripts/build-cli.mjs';
import { ROOT, tmp } from './helpers';

const out = join(ROOT, 'dist', `cli-test-${process.pid}`);
let meta: Metafile;

/** Packages an output file reaches through static imports (what loading it loads). */
function staticPackages(file: string, seen = new Set<string>(), packages = new Set<string>()) {
  if (seen.has(file)) return packages;
  seen.add(file);
  for (const i of meta.outputs[file].imports)
    if (i.kind === 'import-statement') {
      if (i.external) packages.add(i.path);
      else staticPackages(i.path, seen, packages);
    }
  return packages;
}

/** The output of an entry point, or the chunk a lazily loaded command module went to. */
function outputOf(source: string): string {
  const name = source.split('/').pop()!.replace('.ts', '');
  return Object.keys(meta.outputs).find(
    (k) => meta.outputs[k].entryPoint === source || k.split('/').pop()!.startsWith(`${name}-`),
  )!;
}

beforeAll(async () => {
  ({ metafile: meta } = await buildCli({ outDir: out }));
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the prebuilt CLI', () => {
  it('starts --version without the store, zod or tfjs, and list without tfjs', () => {
    const entry = staticPackages(outputOf('src/cli/entry.ts'));
    for (const heavy of ['better-sqlite3', 'zod', '@tensorflow/tfjs-core', 'webgpu'])
      expect(entry.has(heavy), heavy).toBe(false);
    // `list` loads its command chunk on top of the entry: the lab, not the engine.
    const list = staticPackages(outputOf('src/cli/commands/inspect.ts'));
    expect(list.has('better-sqlite3')).toBe(true);
    for (const p of list) expect(p).not.toMatch(/^@tensorflow|^webgpu$|ml-matrix|hyparquet/);
    // The worker that trains is its own entry and does load tfjs.
    expect(existsSync(join(out, 'worker-main.js'))).toBe(true);
    expect(staticPackages(outputOf('src/experiments/execution/worker/worker-main.ts'))).toContain(
      '@tensorflow/tfjs-core',
    );
  });

  it('runs --version and list from another folder', () => {
    const dir = tmp();
    const db = join(dir, 'lab.sqlite');
    const store = openStore(db);
    const spec = getPreset('seed-sweep').spec('tiny');
    spec.name = 'bundle check';
    createExperiment(store, spec);
    store.close();
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(out, 'homolab.js'), ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
    const version = run('--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
    const list = run('list', '--db', db, '--json');
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).experiments[0]).toMatchObject({ name: 'bundle check', runs: 3 });
  });

  it('is stale when missing or older than a source it was built from', () => {
    expect(staleness(out)).toBeNull();
    const infoFile = join(out, BUILD_INFO);
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as {
      builtAt: number;
      inputs: string[];
    };
    expect(info.inputs).toContain('src/cli/main.ts');
    expect(info.inputs.some((i) => i.includes('node_modules'))).toBe(false);
    writeFileSync(infoFile, JSON.stringify({ ...info, builtAt: 0 }));
    expect(staleness(out)).toMatch(/changed$/);
    // An installed package ships no sources: inputs that are not there are not compared.
    writeFileSync(infoFile, JSON.stringify({ builtAt: 0, inputs: ['src/not-shipped.ts'] }));
    expect(staleness(out)).toBeNull();
    rmSync(infoFile);
    expect(staleness(out)).toBe('it is not built yet');
  });
});
