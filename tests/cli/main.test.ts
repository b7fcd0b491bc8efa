/** The CLI in-process (no training): help, exit codes, one-line errors, JSON errors, paths, ids. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes';
import { parseRef } from '../../src/cli/ids';
import { main } from '../../src/cli/main';
import { resolveStorePath, userDataDir } from '../../src/cli/paths';
import { checkSpec } from '../../src/experiments/spec/parse-spec';
import { PRESETS } from '../../src/experiments/spec/presets';
import { tmp } from './helpers';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (s: string) => ((out.stdout += s), true) } as unknown as NodeJS.WriteStream,
      stderr: { write: (s: string) => ((out.stderr += s), true) } as unknown as NodeJS.WriteStream,
    },
  };
}

async function cli(args: string[]) {
  const { out, io: streams } = io();
  const code = await main(args, streams);
  return { code, ...out };
}

describe('homolab CLI', () => {
  it('has --help on every command, with the exit codes documented', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Exit codes:\n\s+0 {4}success/);
    for (const c of [
      'run',
      'resume',
      'list',
      'show',
      'export',
      'import',
      'presets',
      'validate',
      'estimate',
      'schema',
    ]) {
      const r = await cli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`Usage: homolab ${c}`));
    }
  });

  it('returns 2 for usage errors, 4 for missing things, 3 for invalid specs', async () => {
    expect((await cli(['frobnicate'])).code).toBe(EXIT.USAGE);
    expect((await cli(['run'])).code).toBe(EXIT.USAGE);
    expect((await cli(['run', 'x.json', '--backend', 'gpu9'])).code).toBe(EXIT.USAGE);
    const missing = await cli(['run', '/nonexistent/spec.json']);
    expect(missing.code).toBe(EXIT.NOT_FOUND);
    expect(missing.stderr).toMatch(/^homolab: error: cannot read \/nonexistent\/spec.json/);
    expect((await cli(['presets', 'nope'])).code).toBe(EXIT.NOT_FOUND);
    const dir = tmp();
    expect((await cli(['show', 'exp-1', '--db', join(dir, 'none.sqlite')])).code).toBe(
      EXIT.NOT_FOUND,
    );

    const bad = join(dir, 'bad.json');
    const spec = PRESETS[0].spec('tiny') as Record<string, unknown>;
    writeFileSync(bad, JSON.stringify({ ...spec, model: { dModel: 30, nHeads: 4 } }));
    const r = await cli(['validate', bad]);
    expect(r.code).toBe(EXIT.INVALID_INPUT);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /model\.dModel: d_model must be divisible by the number of heads: 30 is not divisible by 4/,
    );
    const j = await cli(['validate', bad, '--json']);
    const err = JSON.parse(j.stdout);
    expect(err).toMatchObject({ type: 'error', code: 3 });
    expect(err.details.issues[0].path).toBe('model.dModel');
  });

  it('prints help for `bench --help`, passing options after the name to the benchmark', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await cli(['bench', flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Usage: homolab bench \[name\] \[args\.\.\.\]/);
      expect(r.stdout).toMatch(/go to the benchmark/);
    }
    const r = await cli(['bench', 'no-such-bench', '--json']);
    expect(r.code).toBe(EXIT.NOT_FOUND);
  });

  it('documents --yes on run and delete, and the exit code that asks for it', async () => {
    expect((await cli(['run', '--help'])).stdout).toMatch(/--yes/);
    expect((await cli(['delete', '--help'])).stdout).toMatch(/--yes/);
    expect((await cli(['--help'])).stdout).toMatch(/\n {2}8 {4}needs confirmation/);
  });

  it('prints presets as valid specs', async () => {
    for (const p of PRESETS) {
      const r = await cli(['presets', p.id, '--tiny']);
      expect(r.code).toBe(0);
      expect(checkSpec(JSON.parse(r.stdout)).ok).toBe(true);
    }
    const list = await cli(['presets', '--json']);
    expect(JSON.parse(list.stdout).presets.map((p: { id: string }) => p.id)).toEqual(
      PRESETS.map((p) => p.id),
    );
  });

  it('puts the default store in the desktop app’s user-data folder', () => {
    expect(userDataDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/Homolab');
    expect(userDataDir('linux', {}, '/home/u')).toBe('/home/u/.config/Homolab');
    expect(userDataDir('darwin', {}, '/Users/u')).toBe(
      '/Users/u/Library/Application Support/Homolab',
    );
    expect(userDataDir('win32', { APPDATA: 'C:/Users/u/AppData/Roaming' }, 'C:/Users/u')).toMatch(
      /^C:\/Users\/u\/AppData\/Roaming[\\/]Homolab$/,
    );
    expect(resolveStorePath('/tmp/a.sqlite', {})).toBe('/tmp/a.sqlite');
    expect(resolveStorePath(undefined, { HOMOLAB_DB: '/tmp/b.sqlite' })).toBe('/tmp/b.sqlite');
  });

  it('parses experiment and run ids', () => {
    expect(parseRef('exp-3', 'run')).toEqual({ kind: 'experiment', id: 3 });
    expect(parseRef('run-5', 'experiment')).toEqual({ kind: 'run', id: 5 });
    expect(parseRef('7', 'run')).toEqual({ kind: 'run', id: 7 });
    expect(() => parseRef('abc', 'run')).toThrow(/not an id/);
  });
});
