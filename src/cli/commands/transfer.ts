/** `homolab export` and `homolab import`: thin wrappers over db/export and db/import. */
import { existsSync } from 'node:fs';
import { exportCsv } from '../../../db/export/csv';
import { exportParquet } from '../../../db/export/parquet';
import { type CliIO, emit, type GlobalOptions, withStore } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { expId, parseRef } from '../ids';
import { exportJsonBundle, importJsonBundle } from './bundle-adapter';

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
  return withStore(
    opts,
    async (store) => {
      if (experimentIds && !store.experiments.get(experimentIds[0]))
        throw new CliError(`no experiment ${expId(experimentIds[0])}`, EXIT.NOT_FOUND);
      let result: { rows?: number; bytes?: number };
      if (format === 'csv') result = await exportCsv(store, out, { experimentIds });
      else if (format === 'parquet') result = await exportParquet(store, out, { experimentIds });
      else result = await exportJsonBundle(store, out, experimentIds, opts.checkpoints === true);
      emit(
        io,
        opts,
        { type: 'exported', format, path: out, ...result },
        () => `wrote ${out} (${format}${result.rows !== undefined ? `, ${result.rows} rows` : ''})`,
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
  return withStore(opts, async (store) => {
    const summary = await importJsonBundle(store, file);
    emit(io, opts, { type: 'imported', path: file, summary }, () => {
      const c = (summary as { counts?: Record<string, number> }).counts ?? {};
      const ids = Object.values(
        (summary as { experimentIds?: Record<string, number> }).experimentIds ?? {},
      );
      return (
        `imported ${file}: ${c.experiments ?? 0} experiment(s) (${ids.map(expId).join(', ')}), ` +
        `${c.runs ?? 0} runs, ${c.metricPoints ?? 0} metric points, ${c.checkpoints ?? 0} checkpoints`
      );
    });
    return EXIT.OK;
  });
}
