/**
 * How much room the store takes and has: its file with the WAL beside it, and the free space of
 * the disk it is on, with a warning when that runs low (checkpoints are the big rows: a model's
 * weights and AdamW state, every `checkpointEvery` steps, for every run).
 */
import { statSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatBytes } from '../src/core/text/bytes';

export interface StoreDiskUsage {
  /** The store file plus its -wal and -shm files. */
  storeBytes: number;
  /** Free space for this user on the store's disk (null when unknown, e.g. in-memory stores). */
  freeBytes: number | null;
  totalBytes: number | null;
  /** A sentence for people when space is short, else null. */
  warning: string | null;
}

/** Warn below this much free space, or below this share of the disk. */
export const LOW_DISK_BYTES = 2 * 1024 ** 3;
const LOW_DISK_SHARE = 0.05;

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * The store at `path`; `expectedBytes` is what a job about to start will add (e.g. its
 * checkpoints), so the warning can say it will not fit.
 */
export function storeDiskUsage(path: string, expectedBytes = 0): StoreDiskUsage {
  const storeBytes = sizeOf(path) + sizeOf(`${path}-wal`) + sizeOf(`${path}-shm`);
  let freeBytes: number | null = null;
  let totalBytes: number | null = null;
  try {
    const fs = statfsSync(dirname(resolve(path)));
    freeBytes = fs.bavail * fs.bsize;
    totalBytes = fs.blocks * fs.bsize;
  } catch {
    return { storeBytes, freeBytes, totalBytes, warning: null };
  }
  let warning: string | null = null;
  const where = `the store (${formatBytes(storeBytes)}) is on a disk with ${formatBytes(freeBytes)} free`;
  if (expectedBytes > freeBytes)
    warning = `${where}, and this job's checkpoints need about ${formatBytes(expectedBytes)}; free some space, lower training.keepCheckpoints / keepCheckpointEvery, or delete old experiments`;
  else if (freeBytes < LOW_DISK_BYTES || freeBytes < LOW_DISK_SHARE * totalBytes)
    warning = `${where}; training writes checkpoints there, so free some space or delete old experiments`;
  return { storeBytes, freeBytes, totalBytes, warning };
}
