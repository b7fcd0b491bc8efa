/** Kernel additions and replacements that make every backend train every model variant fast. */
import { patchWasmBatchMatMul } from './wasm-batch-matmul';
import { patchWasmIdentity } from './wasm-identity';
import { patchWasmTranspose } from './wasm-transpose';
import { registerWasmUnsortedSegmentSum } from './wasm-unsorted-segment-sum';
import { registerCpuUnsortedSegmentSum } from './cpu-unsorted-segment-sum';

export { patchWasmBatchMatMul, patchWasmTranspose, registerWasmUnsortedSegmentSum };
export { registerCpuUnsortedSegmentSum };

// On import, not in initBackend: tests and tools also switch to cpu with tf.setBackend directly,
// and a lockstep model must never run with tfjs-cpu's NaN-leaking segment sum.
registerCpuUnsortedSegmentSum();
export { transposeInto } from './wasm-transpose';
export { ADAMW_KERNEL, MEMBER_NORMS_KERNEL, registerFusedAdamW } from './fused-adamw';
export type { AdamWAttrs } from './fused-adamw';
export { ATTENTION_KERNEL, fusedCausalAttention } from './fused-attention';
export { GELU_KERNEL, fusedGelu } from './fused-gelu';
export { LAYER_NORM_KERNEL, RMS_NORM_KERNEL, fusedLayerNorm, fusedRmsNorm } from './fused-norm';
export { setSimdKernels, simdKernelsEnabled } from './wasm-simd';
export {
  fusedKernelsActive,
  registerHeapKernel,
  runHeapKernel,
  setFusedKernels,
} from './heap-kernel';

/** Applies every wasm kernel fix. Call after `@tensorflow/tfjs-backend-wasm` is loaded. */
export function patchWasmKernels(): void {
  registerWasmUnsortedSegmentSum();
  // Transpose first: the BatchMatMul wrapper looks the Transpose kernel up when it is patched.
  if (!patchWasmIdentity() || !patchWasmTranspose() || !patchWasmBatchMatMul())
    throw new Error('wasm kernels are not registered; load the backend first');
}
