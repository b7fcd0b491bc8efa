/** Native save/open dialogs behind the contract's saveFile / openFile operations. */
import { BrowserWindow, dialog } from 'electron';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { HostFileHandlers } from '../src/api/handlers/host-files';

export function electronHostFiles(getWindow: () => BrowserWindow | null): HostFileHandlers {
  return {
    saveFile: async ({ filename, encoding, data }) => {
      const win = getWindow();
      const ext = extname(filename).slice(1);
      const opts = {
        defaultPath: basename(filename),
        filters: ext ? [{ name: ext.toUpperCase(), extensions: [ext] }] : [],
      };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      if (r.canceled || !r.filePath) return { saved: false, path: null };
      await writeFile(r.filePath, encoding === 'base64' ? Buffer.from(data, 'base64') : data);
      return { saved: true, path: r.filePath };
    },
    openFile: async ({ extensions }) => {
      const win = getWindow();
      const opts = {
        properties: ['openFile' as const],
        filters: extensions.length ? [{ name: 'Homolab', extensions }] : [],
      };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      const path = r.filePaths[0];
      if (r.canceled || !path) return null;
      return { filename: basename(path), content: await readFile(path, 'utf8') };
    },
  };
}
