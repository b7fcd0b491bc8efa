/**
 * WebGPU in Node through Dawn (the `webgpu` npm package). tfjs-backend-webgpu looks for
 * `navigator.gpu` when it is imported, so this installs it (and the `GPU*` constants) first.
 */

/** What the adapter says about itself; enough to tell hardware from a software rasteriser. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for SwiftShader / llvmpipe-style CPU implementations. */
  software: boolean;
  label: string;
}

let installed: GPU | undefined;

/** Installs Dawn's `navigator.gpu` once per process; returns it. Throws if `webgpu` cannot load. */
export async function installNodeWebGPU(): Promise<GPU> {
  if (installed) return installed;
  const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
  if (g.navigator?.gpu) {
    installed = g.navigator.gpu;
    return installed;
  }
  const mod = (await import('webgpu')) as unknown as {
    create: (flags: string[]) => GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  installed = gpu;
  return gpu;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i;

/** Describes an adapter; `software` is true for fallback/CPU adapters. */
export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = (adapter as unknown as { info?: GPUAdapterInfo }).info;
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const device = info?.device ?? '';
  const description = info?.description ?? '';
  const fallback =
    (info as unknown as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true ||
    (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const software = fallback || SOFTWARE.test(`${vendor} ${architecture} ${device} ${description}`);
  const label =
    [vendor, architecture].filter(Boolean).join(' ') +
    (description || device ? ` (${description || device})` : '');
  return { vendor, architecture, device, description, software, label: label.trim() || 'unknown' };
}

/** The adapter tfjs-backend-webgpu will pick (it asks for high performance), or null. */
export async function requestAdapter(): Promise<GPUAdapter | null> {
  const gpu = await installNodeWebGPU();
  return gpu.requestAdapter({ powerPreference: 'high-performance' });
}
