/** Which compute backend to use; `auto` picks the fastest one that works on this machine. */
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** A concrete tfjs backend name (as passed to `tf.setBackend`). */
export type BackendName = Exclude<BackendChoice, 'auto'>;

/** Fastest first: the order `auto` tries them in. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Every choice a user can make (CLI `--backend`, the lab's setting). */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_ORDER];

/** GPU backends: one device, many models stacked in lockstep; the CPU ones run one per core. */
export function isGpuBackend(b: BackendName): boolean {
  return b === 'tensorflow' || b === 'webgpu';
}

/** Why `auto` passed over a faster backend. */
export interface BackendSkip {
  backend: BackendName;
  skipped: string;
}

/** What `initBackend` set up. */
export interface BackendInfo {
  backend: BackendName;
  /** Human-readable device, e.g. `nvidia hopper (NVIDIA H200)` or `wasm SIMD, 1 thread`. */
  device: string;
  /** For `auto`: every faster backend that was tried and why it was not used (empty otherwise). */
  reasons: BackendSkip[];
}

/** Thrown when an explicitly requested backend cannot run here. Never silently replaced. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
    super(`Backend '${backend}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}
