/**
 * `homolab export` and `homolab import`, through the API's exportData and importBundle (the
 * operations behind the app's Export view): the CLI only moves the file between the lab and
 * the path on the command line.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { DEFAULT_MAX_BUNDLE_BYTES } from '../../../db/bundle/import';
import { BundleError, readLimited } from '../../../db/bundle/safe-json';
import { dirname, resolve } from 'node:path';
import { type CliIO, emit, type GlobalOptions } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { expId, parseRef } from '../ids';
import { withLab } from '../lab';

const FORMATS = ['csv', 'json', 'parquet'] as const;

export async function exportCommand(
  opts: GlobalOptions & {
    format?: string;
    experiment?: string;
    out?: string;
    checkpoints?: boolean;
  },
  io: CliIO,
): Promise<ExitCode> {
  const format = opts.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format))
    throw new CliError(`unknown format '${opts.format}'; choose csv, json or parquet`, EXIT.USAGE);
  const out = opts.out as string;
  const experimentIds = opts.experiment ? [parseRef(opts.experiment, 'experiment').id] : undefined;
  return withLab(
    opts,
    io,
    async (lab) => {
      const file = await lab.call('exportData', {
        format,
        experimentIds,
        checkpoints: opts.checkpoints === true,
      });
      const bytes = Buffer.from(file.data, file.encoding === 'base64' ? 'base64' : 'utf8');
      // Written next to the target and renamed: an interrupted export leaves no half file.
      const path = resolve(out);
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
      emit(
        io,
        opts,
        { type: 'exported', format, path: out, bytes: bytes.length },
        () => `wrote ${out} (${format}, ${bytes.length} bytes)`,
      );
      return EXIT.OK;
    },
    true,
  );
}

export async function importCommand(
  file: string,
  opts: GlobalOptions,
  io: CliIO,
): Promise<ExitCode> {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`, EXIT.NOT_FOUND);
  let content: string;
  try {
    // A regular file only (a FIFO would block for ever), size-checked before reading, UTF-8.
    content = readLimited(file, DEFAULT_MAX_BUNDLE_BYTES);
  } catch (e) {
    if (e instanceof BundleError) throw new CliError(e.message, EXIT.INVALID_INPUT);
    throw e;
  }
  return withLab(opts, io, async (lab) => {
    const r = await lab.call('importBundle', { filename: file, content });
    const summary = {
      experimentIds: r.experimentIds,
      counts: { experiments: r.experimentIds.length, runs: r.runCount },
      message: r.message,
    };
    emit(
      io,
      opts,
      { type: 'imported', path: file, summary },
      () => `imported ${file}: ${r.message} (${r.experimentIds.map(expId).join(', ')})`,
    );
    return EXIT.OK;
  });
}
