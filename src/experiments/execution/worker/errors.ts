/**
 * Recognising errors that no retry with the same settings can fix — out of memory and a lost
 * GPU device — so the worker stops with advice instead of producing wrong numbers.
 */
import { isTransientStoreError } from '../../../../db/busy-retry';
import type { FatalKind } from './protocol';

export interface Classified {
  kind: FatalKind | 'run';
  advice: string;
}

const OOM =
  /out of memory|\boom\b|failed to allocate|allocation failed|array buffer allocation|cannot allocate|memory access out of bounds|maximum call stack/i;
const DEVICE_LOST = /device (was |is )?lost|device_lost|gpudevice.*(lost|destroyed)|context lost/i;

export function classifyError(err: unknown): Classified {
  const e = err as Error;
  const text = `${e?.name ?? ''} ${e?.message ?? String(err)}`;
  // The store stayed locked by another process past the writers' retry window: nothing is
  // wrong with the runs, so they are interrupted (resumable), never failed.
  if (isTransientStoreError(err))
    return {
      kind: 'store-busy',
      advice:
        'another process kept the store locked; resume the runs when it is done (they continue from their last checkpoint)',
    };
  if (e?.name === 'BackendUnavailableError')
    return {
      kind: 'backend',
      advice: 'choose another backend (--backend wasm or cpu), or install what it needs',
    };
  if (DEVICE_LOST.test(text))
    return {
      kind: 'device-lost',
      advice:
        'the GPU device was lost (driver reset, sleep, or another program); resume the runs — they continue from their last checkpoint — or use --backend wasm',
    };
  if (OOM.test(text))
    return {
      kind: 'oom',
      advice:
        'out of memory: resume with a smaller lockstep group (--max-group 2), train a smaller batch or model, or use another backend',
    };
  return { kind: 'run', advice: '' };
}
