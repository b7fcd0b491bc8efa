/**
 * The preload and window as designed, checked without the Electron binary: the built preload
 * runs in a VM against a fake `electron` module (contextBridge + ipcRenderer) and must expose
 * exactly one object with one method per contract operation plus onEvent; the window's
 * webPreferences are exactly the hardened set; IPC senders are checked.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_NAMES } from '../../src/api/contract';
import { buildElectron } from '../../electron/build';
import { IPC_EVENT, IPC_INVOKE } from '../../electron/preload-api';
import { windowWebPreferences } from '../../electron/web-preferences';
import { isTrustedSender } from '../../electron/app-origin';

let out: string;
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'homolab-electron-build-'));
  await buildElectron(out);
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Exposed {
  key: string;
  api: Record<string, unknown>;
}

/** Runs the built preload with a fake electron; returns what it exposed and the IPC log. */
function runPreload() {
  const exposed: Exposed[] = [];
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const fakeElectron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.push({ key, api }),
    },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return { ok: true, result: 'echo' };
      },
      on: (ch: string, l: (...a: unknown[]) => void) => {
        if (!listeners.has(ch)) listeners.set(ch, new Set());
        listeners.get(ch)!.add(l);
      },
      removeListener: (ch: string, l: (...a: unknown[]) => void) => listeners.get(ch)?.delete(l),
    },
  };
  const requireFn = (id: string) => {
    if (id === 'electron') return fakeElectron;
    throw new Error(`sandboxed preload may not require ${id}`);
  };
  const code = readFileSync(join(out, 'preload.cjs'), 'utf8');
  const module = { exports: {} };
  runInNewContext(code, { require: requireFn, module, exports: module.exports, console });
  return { exposed, invoked, listeners };
}

describe('preload', () => {
  it('exposes exactly one object, window.homolab, with one method per operation plus onEvent', () => {
    const { exposed } = runPreload();
    expect(exposed).toHaveLength(1);
    expect(exposed[0].key).toBe('homolab');
    const keys = Object.keys(exposed[0].api).sort();
    expect(keys).toEqual([...OPERATION_NAMES, 'onEvent'].sort());
    for (const k of keys) expect(typeof exposed[0].api[k]).toBe('function');
    expect(Object.isFrozen(exposed[0].api)).toBe(true);
  });

  it('forwards each call as (channel, operation, payload) and nothing else', async () => {
    const { exposed, invoked } = runPreload();
    const api = exposed[0].api as Record<string, (i?: unknown) => Promise<unknown>>;
    await expect(api.listExperiments({})).resolves.toEqual({ ok: true, result: 'echo' });
    await api.renameExperiment({ id: 3, name: 'x' });
    expect(invoked).toEqual([
      [IPC_INVOKE, 'listExperiments', {}],
      [IPC_INVOKE, 'renameExperiment', { id: 3, name: 'x' }],
    ]);
  });

  it('subscribes and unsubscribes to pushed events', () => {
    const { exposed, listeners } = runPreload();
    const got: unknown[] = [];
    const off = (exposed[0].api.onEvent as (l: (e: unknown) => void) => () => void)((e) =>
      got.push(e),
    );
    const l = [...(listeners.get(IPC_EVENT) ?? [])];
    expect(l).toHaveLength(1);
    l[0]({ sender: 'ipc-event-object' }, { type: 'experiments.changed' });
    expect(got).toEqual([{ type: 'experiments.changed' }]);
    off();
    expect(listeners.get(IPC_EVENT)?.size).toBe(0);
  });
});

describe('main window', () => {
  it('uses exactly the hardened webPreferences', () => {
    expect(windowWebPreferences('/x/preload.cjs')).toEqual({
      preload: '/x/preload.cjs',
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
    });
  });

  it('creates its window with those preferences and the built preload', () => {
    const main = readFileSync(join(out, 'main.js'), 'utf8');
    expect(main).toMatch(/webPreferences: windowWebPreferences\(join\d*\(here, "preload\.cjs"\)\)/);
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('setPermissionRequestHandler');
    expect(main).toContain('isTrustedSender(event.senderFrame)');
  });

  it('trusts only the top frame of app://homolab', () => {
    const top = { url: 'app://homolab/index.html#/compare/1', top: null as unknown };
    top.top = top;
    expect(isTrustedSender(top)).toBe(true);
    const child = { url: 'app://homolab/index.html', top: {} };
    expect(isTrustedSender(child)).toBe(false);
    const foreign = { url: 'https://evil.example/', top: null as unknown };
    foreign.top = foreign;
    expect(isTrustedSender(foreign)).toBe(false);
    const otherHost = { url: 'app://other/index.html', top: null as unknown };
    otherHost.top = otherHost;
    expect(isTrustedSender(otherHost)).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});
