/**
 * Saving files from the UI: a native save dialog in Electron (the `saveFile` operation), a
 * browser download in serve mode.
 */
import type { FilePayload } from '../../../src/api/types';
import type { LabClient } from '../../../src/api/client';

function toBlob(file: FilePayload): Blob {
  if (file.encoding === 'utf8') return new Blob([file.data], { type: file.mime });
  const bin = atob(file.data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: file.mime });
}

export function browserDownload(file: FilePayload): void {
  const url = URL.createObjectURL(toBlob(file));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Where a file went: a path (native dialog), the browser's downloads, or nowhere (cancelled). */
export type SavedTo = { kind: 'path'; path: string } | { kind: 'download' } | { kind: 'cancelled' };

export async function saveFile(
  client: LabClient,
  host: 'electron' | 'serve',
  file: FilePayload,
): Promise<SavedTo> {
  if (host === 'electron') {
    const r = await client.call('saveFile', file);
    return r.saved && r.path ? { kind: 'path', path: r.path } : { kind: 'cancelled' };
  }
  browserDownload(file);
  return { kind: 'download' };
}

/** The file's size in bytes (base64 payloads decoded). */
export function payloadBytes(file: FilePayload): number {
  if (file.encoding === 'base64') {
    const pad = file.data.endsWith('==') ? 2 : file.data.endsWith('=') ? 1 : 0;
    return Math.floor((file.data.length * 3) / 4) - pad;
  }
  return new TextEncoder().encode(file.data).length;
}

/** A canvas PNG (data URL) as a FilePayload. */
export function pngPayload(dataUrl: string, filename: string): FilePayload {
  return {
    filename,
    mime: 'image/png',
    encoding: 'base64',
    data: dataUrl.slice(dataUrl.indexOf(',') + 1),
  };
}
