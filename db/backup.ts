/** Online backup of an open store through SQLite's backup API (consistent while in use). */
import type Database from 'better-sqlite3';
import { writeAtomically } from './atomic-file';

export interface BackupOptions {
  /** Pages copied per step; the store stays usable between steps (default 1,000). */
  pagesPerStep?: number;
  /** Called after each step with pages done / total. */
  onProgress?: (done: number, total: number) => void;
}

export async function backupStore(
  db: Database.Database,
  dest: string,
  opts: BackupOptions = {},
): Promise<void> {
  const pagesPerStep = Math.max(1, opts.pagesPerStep ?? 1000);
  await writeAtomically(dest, async (tmp) => {
    await db.backup(tmp, {
      progress: ({ totalPages, remainingPages }) => {
        opts.onProgress?.(totalPages - remainingPages, totalPages);
        return pagesPerStep;
      },
    });
  });
}
