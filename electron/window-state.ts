/** Remembers the main window's bounds and maximised state in the user-data folder. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1360, height: 900, maximized: false };

/** Reads the saved state; falls back to defaults when missing, corrupt or absurd. */
export function loadWindowState(file: string): WindowState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>;
    const ok = (v: unknown, min: number) => typeof v === 'number' && Number.isFinite(v) && v >= min;
    if (!ok(s.width, 400) || !ok(s.height, 300)) return { ...DEFAULT_WINDOW_STATE };
    return {
      width: Math.min(s.width!, 10_000),
      height: Math.min(s.height!, 10_000),
      x: typeof s.x === 'number' && Number.isFinite(s.x) ? s.x : undefined,
      y: typeof s.y === 'number' && Number.isFinite(s.y) ? s.y : undefined,
      maximized: s.maximized === true,
    };
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(state));
  } catch {
    // Losing the window position is harmless; never fail a quit over it.
  }
}
