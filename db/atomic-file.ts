/**
 * Crash-safe file output: write to a temporary file beside the destination, fsync it, rename
 * it over the destination, fsync the directory. A crash at any point leaves either the old file
 * (or none) or the complete new one under the final name, never a half-written one.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A temporary path in the same directory (so rename is atomic on one filesystem). */
export function tempPathFor(dest: string): string {
  return join(
    dirname(dest),
    `.${basename(dest)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some filesystems refuse fsync on directories (EINVAL/EISDIR); the rename still happened.
    if (flags !== 'r') throw err;
  } finally {
    closeSync(fd);
  }
}

/** Renames a finished temp file into place durably. */
export function commitTempFile(tmp: string, dest: string): void {
  fsyncPath(tmp, 'r+');
  renameSync(tmp, dest);
  fsyncPath(dirname(dest), 'r');
}

/**
 * Runs `produce(tmpPath)`, which must write the complete file at tmpPath, then commits it to
 * `dest`. On error the temp file is removed and the destination is untouched.
 */
export async function writeAtomically<T>(
  dest: string,
  produce: (tmpPath: string) => Promise<T> | T,
): Promise<T> {
  const tmp = tempPathFor(dest);
  try {
    const result = await produce(tmp);
    commitTempFile(tmp, dest);
    return result;
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A buffered synchronous writer to a file descriptor (bounded memory, few syscalls). */
export class ChunkedFileWriter {
  private chunks: Buffer[] = [];
  private size = 0;
  private fd: number;
  bytesWritten = 0;

  constructor(
    path: string,
    private readonly chunkBytes = 1 << 20,
  ) {
    this.fd = openSync(path, 'w');
  }

  write(text: string | Buffer): void {
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    this.chunks.push(buf);
    this.size += buf.length;
    if (this.size >= this.chunkBytes) this.flush();
  }

  flush(): void {
    if (!this.size) return;
    const all = Buffer.concat(this.chunks, this.size);
    let off = 0;
    while (off < all.length) off += writeSync(this.fd, all, off);
    this.bytesWritten += all.length;
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
