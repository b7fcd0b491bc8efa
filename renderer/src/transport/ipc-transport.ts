/** The Electron transport: the preload's `window.homolab` object (one method per operation). */
import type { Transport } from '../../../src/api/client';
import type { PreloadApi } from '../../../electron/preload-api';

export function createIpcTransport(api: PreloadApi): Transport {
  return {
    invoke: (name, payload) => api[name](payload),
    subscribe: (listener) => api.onEvent(listener),
  };
}
