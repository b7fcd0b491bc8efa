/**
 * Opens a URL in the default browser with the platform's opener (`open` on macOS, `start` on
 * Windows, `xdg-open` elsewhere). Resolves to null when it was handed over, or to why not (no
 * opener installed, e.g. on a headless box; or the opener found no browser) so the caller can
 * say so. An opener still running after `waitMs` is taken to have done its job.
 */
import { spawn } from 'node:child_process';

export function openerFor(platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (platform === 'darwin') return ['open', []];
  // `start` is a cmd built-in; its first quoted argument is the window title.
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""']];
  return ['xdg-open', []];
}

export function openBrowser(
  url: string,
  platform = process.platform,
  waitMs = 3000,
): Promise<string | null> {
  const [cmd, args] = openerFor(platform);
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args, url], { stdio: 'ignore', detached: true });
    const timer = setTimeout(() => resolve(null), waitMs);
    timer.unref();
    child.unref();
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ENOENT' ? `no ${cmd} on this system` : `${cmd} failed: ${err.message}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ? `${cmd} could not open a browser (exit code ${code})` : null);
    });
  });
}
