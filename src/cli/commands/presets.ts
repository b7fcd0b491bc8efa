/**
 * `homolab presets [id] [--tiny]`, `homolab validate`, `homolab schema`: plain data and the
 * spec check, no store needed (estimate and run go through the lab: run.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PRESETS, getPreset } from '../../experiments/spec/presets';
import { experimentSpecJsonSchema } from '../../experiments/spec/spec';
import { checkSpec } from '../../experiments/spec/parse-spec';
import { groupLockstep } from '../../experiments/spec/variants';
import { type CliIO, emit, type GlobalOptions } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { table } from '../format';
import { jsonLine } from '../progress';
import { readSpecFile, specError } from './run';

export function presetsCommand(
  id: string | undefined,
  opts: GlobalOptions & { tiny?: boolean },
  io: CliIO,
): ExitCode {
  const size = opts.tiny ? 'tiny' : 'full';
  if (id) {
    let preset;
    try {
      preset = getPreset(id);
    } catch (e) {
      throw new CliError((e as Error).message, EXIT.NOT_FOUND);
    }
    // A spec is JSON either way: print it pretty, ready to save and edit.
    io.stdout.write(JSON.stringify(preset.spec(size), null, opts.json ? undefined : 2) + '\n');
    return EXIT.OK;
  }
  const list = PRESETS.map((p) => ({ id: p.id, name: p.name, description: p.description }));
  emit(io, opts, { type: 'presets', presets: list }, () =>
    [
      table(
        ['ID', 'NAME', 'DESCRIPTION'],
        list.map((p) => [p.id, p.name, p.description]),
      ),
      '',
      'Print a spec with `homolab presets <id> [--tiny] > spec.json`, then `homolab run spec.json`.',
    ].join('\n'),
  );
  return EXIT.OK;
}

export function validateCommand(file: string, opts: GlobalOptions, io: CliIO): ExitCode {
  const checked = checkSpec(readSpecFile(file));
  if (!checked.ok) throw specError(file, checked.issues);
  const { spec, variants } = checked;
  const groups = groupLockstep(variants);
  emit(
    io,
    opts,
    {
      type: 'valid',
      name: spec.name,
      variants: variants.map((v) => v.name),
      groups: groups.length,
    },
    () => `${file}: valid — ${variants.length} variants in ${groups.length} lockstep group(s)`,
  );
  return EXIT.OK;
}

export function schemaCommand(opts: GlobalOptions & { out?: string }, io: CliIO): ExitCode {
  const schema = experimentSpecJsonSchema();
  const text = JSON.stringify(schema, null, 2) + '\n';
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, text);
    if (opts.json) io.stdout.write(jsonLine({ type: 'written', path: opts.out }));
  } else io.stdout.write(text);
  return EXIT.OK;
}
