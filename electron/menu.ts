/** The application menu: standard roles plus Homolab's views (navigated by URL hash). */
import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { APP_ENTRY } from './app-origin';

const VIEWS: [string, string][] = [
  ['Experiments', 'experiments'],
  ['New experiment', 'new'],
  ['Live', 'live'],
  ['Compare', 'compare'],
  ['Similarity', 'similarity'],
  ['Export / Import', 'export'],
];

export function buildMenu(getWindow: () => BrowserWindow | null): Menu {
  const mac = process.platform === 'darwin';
  const go = (view: string) => () => void getWindow()?.loadURL(`${APP_ENTRY}#/${view}`);
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Import / Export…', accelerator: 'CmdOrCtrl+E', click: go('export') },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...VIEWS.map(([label, view], i): MenuItemConstructorOptions => ({
          label,
          accelerator: `Alt+${i + 1}`,
          click: go(view),
        })),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
