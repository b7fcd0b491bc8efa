/**
 * Export and import. Exports are written by db/export to a temporary file (atomic, streamed)
 * and handed to the UI as text (CSV, JSON) or base64 (Parquet); the UI saves them with a
 * native dialog (Electron) or a browser download (serve).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCsv } from '../../../db/export/csv';
import { exportParquet } from '../../../db/export/parquet';
import type { Handlers } from '../dispatcher';
import { ApiFailure, unsupported } from '../errors';
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
    exportData: async ({ format, experimentIds, runIds }) => {
      for (const id of experimentIds ?? [])
        if (!store.experiments.get(id))
          throw new ApiFailure('not_found', `Experiment ${id} not found`);
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
          await exportParquet(store, p, scope);
          return {
            filename: `${base}.parquet`,
            mime: 'application/vnd.apache.parquet',
            encoding: 'base64',
            data: (await readFile(p)).toString('base64'),
          };
        });
      throw unsupported(
        'JSON bundle export is not available in this build yet (db bundle module pending).',
      );
    },

    importBundle: async ({ filename, content }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(content);
      } catch (err) {
        throw new ApiFailure(
          'invalid_input',
          `${filename} is not a Homolab bundle: it is not valid JSON (${(err as Error).message}).`,
        );
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new ApiFailure(
          'invalid_input',
          `${filename} is not a Homolab bundle: expected a JSON object.`,
        );
      throw unsupported(
        'Bundle import is not available in this build yet (db bundle module pending).',
      );
    },
  };
}
