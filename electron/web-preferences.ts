/**
 * The main window's webPreferences: the renderer is an untrusted web page with no Node, an
 * isolated preload world, the Chromium sandbox, and nothing that loosens web security.
 * Kept in one constant so a test can assert it exactly.
 */
import type { WebPreferences } from 'electron';

export function windowWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: true,
  };
}
