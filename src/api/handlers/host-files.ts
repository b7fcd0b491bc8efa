/**
 * Native file dialogs exist only in the desktop app; under `homolab serve` the browser saves
 * and opens files itself, so these answer `unsupported`. Electron main passes its own.
 */
import type { Handlers } from '../dispatcher';
import { unsupported } from '../errors';

export type HostFileHandlers = Pick<Handlers, 'saveFile' | 'openFile'>;

export const browserHostFiles: HostFileHandlers = {
  saveFile: () => {
    throw unsupported('saveFile needs the desktop app; the browser downloads files itself.');
  },
  openFile: () => {
    throw unsupported('openFile needs the desktop app; use the browser file picker.');
  },
};
