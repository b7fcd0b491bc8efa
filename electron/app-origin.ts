/**
 * The app's own origin: content is served from the privileged `app://homolab/` scheme (packaged
 * files only). IPC accepts calls only from the top frame of that origin.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'homolab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** True for URLs of our own packaged content. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The part of Electron's WebFrameMain the IPC guard looks at. */
export interface SenderFrame {
  url: string;
  /** The frame's top frame (itself for the main frame). */
  top: unknown;
}

/** An IPC sender is trusted only if it is the main frame showing our packaged content. */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  return !!frame && frame.top === frame && isAppUrl(frame.url);
}
