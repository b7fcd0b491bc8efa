/**
 * Backend selection: `initBackend('auto')` tries native TensorFlow (CUDA), then a hardware
 * WebGPU adapter, then wasm, then cpu, and reports why each faster one was skipped. An explicit
 * choice that cannot run is a `BackendUnavailableError`, never a silent fallback.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { patchWasmKernels } from '../kernels';
import './gradients';
import { describeAdapter, requestAdapter } from './webgpu-node';
import { activeWasmThreads, installThreadedWasm, wasmThreads } from './wasm-threads';
import {
  BACKEND_ORDER,
  BackendUnavailableError,
  type BackendChoice,
  type BackendInfo,
  type BackendName,
  type BackendSkip,
} from './types';

const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';

/** Each probe activates its backend (`tf.setBackend`) and returns the device, or throws why not. */
type Probe = (auto: boolean) => Promise<string>;

const probes: Record<BackendName, Probe> = {
  async tensorflow() {
    try {
      // A variable specifier: the package is optional and usually absent, so bundlers and the
      // type checker must not try to resolve it.
      const spec = TFJS_NODE_GPU;
      await import(/* @vite-ignore */ spec);
    } catch (e) {
      const msg = (e as Error).message;
      if (/cannot find (module|package)|ERR_MODULE_NOT_FOUND/i.test(msg))
        throw new Error(`${TFJS_NODE_GPU} is not installed (optional dependency)`);
      throw new Error(`${TFJS_NODE_GPU} failed to load: ${firstLine(msg)}`);
    }
    if (!(await tf.setBackend('tensorflow')))
      throw new Error('the native TensorFlow backend failed to initialise (CUDA/cuDNN missing?)');
    return 'libtensorflow (CUDA build)';
  },

  async webgpu(auto) {
    let adapter: GPUAdapter | null;
    try {
      adapter = await requestAdapter();
    } catch (e) {
      throw new Error(
        `Dawn (the 'webgpu' package) failed to load: ${firstLine((e as Error).message)}`,
      );
    }
    if (!adapter)
      throw new Error(
        'no WebGPU adapter (no Vulkan/Metal/D3D12 driver found; on Linux install libvulkan1 and a GPU driver)',
      );
    const d = describeAdapter(adapter);
    if (auto && d.software)
      throw new Error(`only a software adapter is available (${d.label}); slower than wasm`);
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu')))
      throw new Error(`tfjs-backend-webgpu failed to initialise on ${d.label}`);
    return d.label;
  },

  async wasm() {
    ensureWasmPaths();
    // Opt-in threaded build (setWasmThreads / HOMOLAB_WASM_THREADS); see wasm-threads.ts.
    if (wasmThreads() > 1) installThreadedWasm(wasmThreads());
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm module failed to initialise');
    patchWasmKernels();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = activeWasmThreads();
    return `wasm${simd ? ' SIMD' : ''}, ${threads > 1 ? `${threads} threads` : '1 thread'}`;
  },

  async cpu() {
    if (!(await tf.setBackend('cpu'))) throw new Error('the JavaScript cpu backend failed');
    return 'JavaScript (tfjs cpu)';
  },
};

let wasmPathsSet = false;
function ensureWasmPaths(): void {
  if (wasmPathsSet) return;
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  setWasmPaths(path.join(path.dirname(pkg), 'dist') + path.sep);
  wasmPathsSet = true;
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 300);
}

let current: BackendInfo | undefined;

/** The backend set up by the last successful `initBackend`, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * Activates a tfjs backend for this process and returns what was chosen.
 *
 * - `auto`: the first of tensorflow → webgpu (hardware adapters only) → wasm → cpu that works;
 *   `reasons` lists each faster backend with the reason it was skipped.
 * - explicit name: that backend or a `BackendUnavailableError` saying why (a software WebGPU
 *   adapter such as SwiftShader is accepted when asked for explicitly).
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (choice !== 'auto' && !BACKEND_ORDER.includes(choice))
    throw new Error(
      `Unknown backend '${String(choice)}'; choose one of auto, ${BACKEND_ORDER.join(', ')}`,
    );
  const candidates = choice === 'auto' ? BACKEND_ORDER : [choice];
  const reasons: BackendSkip[] = [];
  for (const backend of candidates) {
    try {
      const device = await probes[backend](choice === 'auto');
      current = { backend, device, reasons };
      return current;
    } catch (e) {
      const reason = (e as Error).message;
      if (choice !== 'auto') throw new BackendUnavailableError(backend, reason);
      reasons.push({ backend, skipped: reason });
    }
  }
  throw new Error(
    `No backend could start: ${reasons.map((r) => `${r.backend}: ${r.skipped}`).join('; ')}`,
  );
}
