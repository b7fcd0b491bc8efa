/**
 * Electron main: one hardened window showing the packaged renderer from app://homolab/, the lab
 * (store in the user-data folder, training in a utilityProcess worker) behind one IPC channel
 * that checks every sender and validates every payload, native dialogs, menu, window state.
 */
import { app, BrowserWindow, ipcMain, Menu, session, utilityProcess } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, type Lab } from '../src/api/lab';
import { electronWorkerFactory } from '../src/experiments/execution/worker/electron-host';
import { APP_ENTRY, isTrustedSender } from './app-origin';
import { handleAppScheme, registerAppScheme } from './app-protocol';
import { hardenSession, hardenWebContents } from './content-security';
import { electronHostFiles } from './dialogs';
import { buildMenu } from './menu';
import { IPC_EVENT, IPC_INVOKE } from './preload-api';
import { windowWebPreferences } from './web-preferences';
import { loadWindowState, saveWindowState } from './window-state';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Build layout: dist/electron/{main.js, preload.cjs, worker-main.js}, dist/renderer/. */
const rendererDir = join(here, '..', 'renderer');

// Tests (and portable installs) may point the user-data folder elsewhere.
if (process.env.HOMOLAB_USER_DATA) app.setPath('userData', process.env.HOMOLAB_USER_DATA);

registerAppScheme();
app.enableSandbox();

let win: BrowserWindow | null = null;
let lab: Lab | null = null;

function createWindow(): void {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = loadWindowState(stateFile);
  win = new BrowserWindow({
    ...state,
    show: false,
    title: 'Homolab',
    backgroundColor: '#15181d',
    webPreferences: windowWebPreferences(join(here, 'preload.cjs')),
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  win.on('close', () => {
    if (!win) return;
    saveWindowState(stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() });
  });
  win.on('closed', () => (win = null));
  void win.loadURL(APP_ENTRY);
}

app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));

app.whenReady().then(() => {
  hardenSession(session.defaultSession);
  handleAppScheme(rendererDir);
  lab = createLab({
    dbPath: join(app.getPath('userData'), 'homolab.sqlite'),
    host: 'electron',
    workerFactory: electronWorkerFactory(utilityProcess, join(here, 'worker-main.js')),
    hostFiles: electronHostFiles(() => win),
  });
  lab.events.on((event) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, event);
  });
  ipcMain.handle(IPC_INVOKE, (event, name: unknown, payload: unknown) => {
    if (!isTrustedSender(event.senderFrame))
      return {
        ok: false,
        error: { code: 'unsupported', message: 'IPC refused: untrusted sender' },
      };
    return lab!.dispatcher.dispatch(String(name), payload, { transport: 'ipc' });
  });
  Menu.setApplicationMenu(buildMenu(() => win));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('will-quit', (event) => {
  if (closing || !lab) return;
  // Let the training worker stop and the store close before exiting.
  event.preventDefault();
  closing = true;
  void lab.close().finally(() => app.quit());
});
