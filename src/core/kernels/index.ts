/** Kernel additions and replacements that make every backend train every model variant fast. */
import { patchWasmBatchMatMul } from './wasm-batch-matmul';
import { registerWasmUnsortedSegmentSum } from './wasm-unsorted-segment-sum';

export { patchWasmBatchMatMul, registerWasmUnsortedSegmentSum };

/** Applies every wasm kernel fix. Call after `@tensorflow/tfjs-backend-wasm` is loaded. */
export function patchWasmKernels(): void {
  registerWasmUnsortedSegmentSum();
  if (!patchWasmBatchMatMul())
    throw new Error('wasm kernels are not registered; load the backend first');
}
