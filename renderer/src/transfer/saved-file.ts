/** "Wrote runs.csv (12.3 kB: 2 experiments, 6 runs) to …": what an export wrote and where. */
import { t } from '../i18n';
import type { FilePayload } from '../../../src/api/types';
import { payloadBytes, type SavedTo } from '../shared/files';
import { formatCount } from '../shared/format';

export function describeSaved(
  file: FilePayload,
  to: SavedTo,
  counts: { experiments?: number; runs?: number } = {},
): string | null {
  if (to.kind === 'cancelled') return null;
  const what = [
    `${formatCount(payloadBytes(file))}B`,
    counts.experiments !== undefined ? t('transfer.nExperiments', { n: counts.experiments }) : '',
    counts.runs !== undefined ? t('transfer.nRuns', { n: counts.runs }) : '',
  ]
    .filter(Boolean)
    .join(', ');
  const where = to.kind === 'path' ? to.path : t('transfer.downloads');
  return t('transfer.wrote', { file: file.filename, what, where });
}
