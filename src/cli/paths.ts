/**
 * Where the store lives by default: the desktop app's per-user data folder, so the CLI and the
 * app share one lab. This mirrors Electron's `app.getPath('userData')` for app name "Homolab":
 * Linux `$XDG_CONFIG_HOME/Homolab` (or `~/.config/Homolab`), macOS
 * `~/Library/Application Support/Homolab`, Windows `%APPDATA%\Homolab`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Homolab';
/** The store's file name inside the user-data folder (the desktop app uses the same). */
export const STORE_FILE_NAME = 'homolab.sqlite';

export function userDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_NAME);
}

/** `--db`, else `$HOMOLAB_DB`, else the user-data folder's store. */
export function resolveStorePath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.HOMOLAB_DB ?? join(userDataDir(process.platform, env), STORE_FILE_NAME);
}
