import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_STATE,
  loadWindowState,
  saveWindowState,
} from '../../electron/window-state';

const dir = mkdtempSync(join(tmpdir(), 'homolab-winstate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('window state', () => {
  it('round-trips bounds and maximised state', () => {
    const f = join(dir, 'a.json');
    saveWindowState(f, { x: 10, y: 20, width: 1000, height: 700, maximized: true });
    expect(loadWindowState(f)).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: true });
  });

  it('falls back to defaults for missing, corrupt or absurd files', () => {
    expect(loadWindowState(join(dir, 'missing.json'))).toEqual(DEFAULT_WINDOW_STATE);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    expect(loadWindowState(bad)).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(bad, JSON.stringify({ width: 5, height: -1 }));
    expect(loadWindowState(bad)).toEqual(DEFAULT_WINDOW_STATE);
  });
});
