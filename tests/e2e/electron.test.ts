/**
 * The real desktop app through Playwright's `_electron.launch`: hardened window, preload API,
 * and the main flow (tiny seed sweep from the UI → trained → compared). Runs where the Electron
 * binary exists (CI on Windows/macOS/Linux); skipped with the reason where it does not.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { OPERATION_NAMES } from '../../src/api/contract';
import { buildElectron } from '../../electron/build';
import { screenshot } from './browser';

function electronBinary(): { path: string | null; reason: string } {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    if (typeof p === 'string' && existsSync(p)) return { path: p, reason: '' };
    return { path: null, reason: `Electron binary missing at ${String(p)}` };
  } catch (err) {
    return {
      path: null,
      reason: `Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?): ${(err as Error).message.split('\n')[0]}`,
    };
  }
}

const bin = electronBinary();
if (!bin.path) console.warn(`Electron e2e skipped: ${bin.reason}`);

describe.skipIf(!bin.path)('desktop app (Electron)', () => {
  let app: ElectronApplication;
  let page: Page;
  let userData: string;

  beforeAll(async () => {
    await buildElectron();
    userData = mkdtempSync(join(tmpdir(), 'homolab-electron-'));
    app = await _electron.launch({
      executablePath: bin.path!,
      args: [
        join(process.cwd(), 'dist/electron/main.js'),
        ...(process.platform === 'linux' ? ['--no-sandbox'] : []),
      ],
      env: { ...process.env, HOMOLAB_USER_DATA: userData },
    });
    page = await app.firstWindow();
    await page.getByRole('heading', { name: 'Experiments' }).waitFor();
  });

  afterAll(async () => {
    await app?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  it('runs the renderer with the hardened webPreferences from app://', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      // getLastWebPreferences exists at runtime but is missing from Electron's typings.
      const wc = w.webContents as unknown as {
        getURL(): string;
        getLastWebPreferences(): Record<string, unknown>;
      };
      return { url: wc.getURL(), prefs: wc.getLastWebPreferences() };
    });
    expect(prefs.url.startsWith('app://homolab/')).toBe(true);
    expect(prefs.prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    const exposed = await page.evaluate(() => ({
      keys: Object.keys((globalThis as unknown as { homolab: object }).homolab).sort(),
      hasRequire: typeof (globalThis as unknown as { require?: unknown }).require !== 'undefined',
      hasProcess: typeof (globalThis as unknown as { process?: unknown }).process !== 'undefined',
    }));
    expect(exposed.keys).toEqual([...OPERATION_NAMES, 'onEvent'].sort());
    expect(exposed.hasRequire).toBe(false);
    expect(exposed.hasProcess).toBe(false);
  });

  it('trains a tiny seed sweep created from the UI and compares it', async () => {
    await page.locator('[data-nav="new"]').click();
    await page.getByTestId('preset').selectOption('seed-sweep');
    await page.getByTestId('preset-size').selectOption('tiny');
    await page.getByTestId('exp-name').fill('Electron sweep');
    await expect.poll(() => page.getByTestId('run-count').textContent()).toBe('3');
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('experiment-status').textContent(), {
        timeout: 180_000,
        interval: 500,
      })
      .toBe('completed');
    await screenshot(page, 'electron-01-live');
    await page.locator('[data-nav="runs"]').click();
    const chart = page.locator('.chart-box').first();
    await expect.poll(async () => Number(await chart.getAttribute('data-series-count'))).toBe(3);
    await screenshot(page, 'electron-02-compare');
  });
});
