export { initBackend, currentBackend } from './init-backend';
export { activeWasmThreads, setWasmThreads, wasmThreads } from './wasm-threads';
export { describeAdapter, installNodeWebGPU, requestAdapter } from './webgpu-node';
export type { AdapterDescription } from './webgpu-node';
export { BACKEND_CHOICES, BACKEND_ORDER, BackendUnavailableError, isGpuBackend } from './types';
export type { BackendChoice, BackendInfo, BackendName, BackendSkip } from './types';
