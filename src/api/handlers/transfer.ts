/**
 * Export and import. Exports are written by db/export to a temporary file (atomic, streamed)
 * and handed to the UI as text (CSV, JSON) or base64 (Parquet); the UI saves them with a
 * native dialog (Electron) or a browser download (serve).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_VERSION } from '../../core/version';
import { exportCsv } from '../../../db/export/csv';
import { exportBundle } from '../../../db/bundle/export';
import { BundleError, DuplicateImportError, importBundle } from '../../../db/bundle/import';
import type { Handlers } from '../dispatcher';
import { ApiFailure } from '../errors';
import type { LabContext } from '../lab-context';

async function withTempFile<T>(name: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'homolab-export-'));
  try {
    return await fn(join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

export function transferHandlers(ctx: LabContext): Pick<Handlers, 'exportData' | 'importBundle'> {
  const { store } = ctx;
  return {
    exportData: async ({ format, experimentIds, runIds, checkpoints }) => {
      for (const id of experimentIds ?? [])
        if (!store.experiments.get(id))
          throw new ApiFailure('not_found', `Experiment ${id} not found`);
      for (const id of runIds ?? []) {
        const run = store.runs.get(id);
        if (!run) throw new ApiFailure('not_found', `Run ${id} not found`);
        if (experimentIds && !experimentIds.includes(run.experimentId))
          throw new ApiFailure(
            'invalid_input',
            `Run ${id} belongs to experiment ${run.experimentId}, which is not in experimentIds`,
            [{ path: 'runIds', message: `run ${id} is not in the listed experiments` }],
          );
      }
      const scope = { experimentIds, runIds };
      const base = `homolab-${experimentIds?.length === 1 ? `exp-${experimentIds[0]}` : 'export'}-${stamp()}`;
      if (format === 'csv')
        return withTempFile('out.csv', async (p) => {
          await exportCsv(store, p, scope);
          return {
            filename: `${base}.csv`,
            mime: 'text/csv',
            encoding: 'utf8',
            data: await readFile(p, 'utf8'),
          };
        });
      if (format === 'parquet')
        return withTempFile('out.parquet', async (p) => {
          // Loaded on use: the Parquet writer is a large module every lab start would parse.
          const { exportParquet } = await import('../../../db/export/parquet');
          await exportParquet(store, p, scope);
          return {
            filename: `${base}.parquet`,
            mime: 'application/vnd.apache.parquet',
            encoding: 'base64',
            data: (await readFile(p)).toString('base64'),
          };
        });
      return withTempFile('out.json', async (p) => {
        await exportBundle(store, p, {
          ...scope,
          includeCheckpoints: checkpoints,
          producer: ctx.host === 'cli' ? `homolab-cli ${APP_VERSION}` : 'homolab app',
        });
        return {
          filename: `${base}.homolab.json`,
          mime: 'application/json',
          encoding: 'utf8',
          data: await readFile(p, 'utf8'),
        };
      });
    },

    importBundle: async ({ filename, content }) => {
      const notBundle = (why: string) =>
        new ApiFailure('invalid_input', `${filename} is not a Homolab bundle: ${why}`);
      let parsed: unknown;
      try {
        // A byte-order mark is accepted, as by the file importer.
        parsed = JSON.parse(content.replace(/^\uFEFF/, ''));
      } catch (err) {
        throw notBundle(`it is not valid JSON (${(err as Error).message}).`);
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw notBundle('expected a JSON object.');
      // db/ imports from a file (it checks the size before reading and validates in depth).
      const result = await withTempFile('in.json', async (p) => {
        await writeFile(p, content, 'utf8');
        try {
          return importBundle(store, p);
        } catch (err) {
          if (err instanceof BundleError) throw notBundle(`${err.message}.`);
          if (err instanceof DuplicateImportError)
            throw new ApiFailure('conflict', `${filename} was not imported: ${err.message}.`);
          throw err;
        }
      });
      const experimentIds = Object.values(result.experimentIds);
      const runCount = Object.keys(result.runIds).length;
      ctx.events.emit({ type: 'experiments.changed' });
      return {
        experimentIds,
        runCount,
        message: `${experimentIds.length} experiment(s), ${runCount} run(s), ${result.counts.metricPoints} metric points, ${result.counts.analyses} analyses`,
      };
    },
  };
}
