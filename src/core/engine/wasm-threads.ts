/**
 * Multi-threaded wasm in Node: tfjs-backend-wasm ships a threaded SIMD build (XNNPACK with a
 * pthread pool) but only enables it in browsers (`WASM_HAS_MULTITHREAD_SUPPORT` is false under
 * Node, tfjs issue #3830). Emscripten's pthreads do run on Node's `worker_threads`; what stops
 * tfjs is its loader, which hands the workers Blob URLs that Node's `Worker` cannot open. This
 * module loads the threaded build itself:
 *
 * - the pthread worker script (shipped as a JS string) is written once to the temp folder, and
 *   the main script is the package's own `wasm-out/tfjs-backend-wasm-threaded-simd.js` file;
 * - tfjs sizes the pool as min(requested, logical cores / 2) — it assumes two hyperthreads per
 *   core — so `os.cpus()` is widened while the module initialises to let `threads` through.
 *
 * Opt-in (`setWasmThreads` or `HOMOLAB_WASM_THREADS`): XNNPACK's workers spin while waiting,
 * so on a machine whose cores are busy with other work the threaded build is slower (measured
 * here; see `bench/train.ts --threads`). Results are deterministic for a given thread count
 * (XNNPACK partitions output tiles, each summed in the same order by one thread).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const WASM_PRIORITY = 2;

let requested = Number(process.env.HOMOLAB_WASM_THREADS ?? 1) || 1;

/**
 * Threads for the wasm backend's matmuls (XNNPACK pool), 1 = the single-threaded build (the
 * default). Takes effect when the wasm backend is first initialised in this process.
 */
export function setWasmThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 8)
    throw new Error(`wasm threads must be an integer in 1..8, got ${threads}`);
  requested = threads;
}

/** The thread count the next wasm initialisation will use. */
export function wasmThreads(): number {
  return requested;
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: { unref(): void }[] };
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/**
 * Makes `tf.setBackend('wasm')` load the threaded build with `threads` workers. Call before the
 * wasm backend is first initialised; returns false (and changes nothing) if it already is.
 */
export function installThreadedWasm(threads: number): boolean {
  if (initialisedWasm()) return false;
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const glue = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const binary = path.join(pkg, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  const { wasmWorkerContents } = require(
    path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as { wasmWorkerContents: string };
  const version = (require(path.join(pkg, 'package.json')) as { version: string }).version;
  const worker = path.join(os.tmpdir(), `homolab-tfjs-wasm-${version}-pthread-worker.cjs`);
  // The string's escaped newlines must stay escaped (tfjs does the same for its Blob).
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  if (!fs.existsSync(worker) || fs.readFileSync(worker, 'utf8') !== source) {
    const tmp = `${worker}.${process.pid}`;
    fs.writeFileSync(tmp, source);
    fs.renameSync(tmp, worker);
  }
  const factory = require(glue) as Factory;

  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const realCpus = os.cpus;
      const cpu = realCpus()[0];
      // tfjs's init uses min(requested, emscripten_num_logical_cores() / 2).
      (os as { cpus: () => os.CpuInfo[] }).cpus = () =>
        Array.from({ length: 2 * threads }, () => cpu);
      let mod: EmscriptenModule;
      try {
        mod = await factory({
          locateFile: (p: string) =>
            p.endsWith('.worker.js') ? worker : p.endsWith('.wasm') ? binary : p,
          mainScriptUrlOrBlob: glue,
        });
      } finally {
        (os as { cpus: () => os.CpuInfo[] }).cpus = realCpus;
      }
      mod.tfjs = {
        init: mod.cwrap('init', null, []),
        initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
        registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: mod.cwrap('dispose_data', null, ['number']),
        dispose: mod.cwrap('dispose', null, []),
      };
      setThreadsCount(threads);
      // The constructor starts the pool; its threads wait for work forever, and a running
      // pthread's worker is ref'd, which would keep Node from exiting when the script ends.
      const backend = new BackendWasm(
        mod as unknown as ConstructorParameters<typeof BackendWasm>[0],
      );
      for (const w of mod.PThread?.runningWorkers ?? []) w.unref();
      return backend;
    },
    WASM_PRIORITY,
  );
  return true;
}

/** The initialised wasm backend, if any (`tf.findBackend` would start initialising it). */
function initialisedWasm(): { wasm: { tfjs: { getThreadsCount(): number } } } | undefined {
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  return registry.wasm as { wasm: { tfjs: { getThreadsCount(): number } } } | undefined;
}

/** Threads the initialised wasm backend runs (1 for the single-threaded build; 0: none yet). */
export function activeWasmThreads(): number {
  return initialisedWasm()?.wasm.tfjs.getThreadsCount() ?? 0;
}
