/**
 * The worker's stderr as the host forwards it: Dawn's GPU-discovery warnings (the text below is
 * what the `webgpu` package prints when Vulkan cannot be loaded, and on a machine whose Vulkan
 * driver lacks a feature) are dropped, in whatever chunks they arrive; every other line passes.
 */
import { describe, expect, it } from 'vitest';
import { dawnNoiseFilter } from '../../../../src/experiments/execution/worker/stderr-filter';

const NO_VULKAN =
  "Warning: Couldn't load Vulkan: /usr/lib/libvulkan.so.1: cannot open shared object file\n" +
  '    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)\n' +
  '\n';
const WEAK_DRIVER =
  'error: XDG_RUNTIME_DIR is invalid or not set in the environment.\n' +
  'Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.\n' +
  ' - While initializing adapter (backend=BackendType::Vulkan)\n' +
  '    at InitializeImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/PhysicalDeviceVk.cpp:257)\n' +
  '\n';

function filtered(text: string, chunk: number): string {
  let out = '';
  const f = dawnNoiseFilter((t) => (out += t));
  for (let i = 0; i < text.length; i += chunk) f.push(text.slice(i, i + chunk));
  f.end();
  return out;
}

describe('dawnNoiseFilter', () => {
  it('drops Dawn’s discovery blocks and keeps everything else, in any chunking', () => {
    const ours = 'homolab worker: something real went wrong\n    at trainJob (train-job.ts:10)\n';
    const text = `${NO_VULKAN}${ours}${WEAK_DRIVER}(node:1) Warning: a Node warning\nlast line`;
    for (const chunk of [1, 7, 64, text.length])
      expect(filtered(text, chunk)).toBe(`${ours}(node:1) Warning: a Node warning\nlast line\n`);
  });

  it('keeps blank lines and stack lines that do not follow a Dawn warning', () => {
    const text = 'Error: boom\n\n    at x (/src/dawn-like/file.ts:1)\n';
    expect(filtered(text, 5)).toBe(text);
  });
});
