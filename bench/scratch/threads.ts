import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { patchWasmKernels } from '../../src/core/kernels';
import '../../src/core/engine/gradients';

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const glue = path.join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
const factory = require(glue);
const contents: string = require(path.join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')).wasmWorkerContents;
const workerPath = path.join(os.tmpdir(), 'homolab-tfjs-wasm-worker.cjs');
fs.writeFileSync(workerPath, contents.replace(/\n/g, '\\n'));
const threads = Number(process.argv[2] ?? 2);
tf.removeBackend('wasm');
tf.registerBackend('wasm', async () => {
  const t0 = performance.now();
  const realCpus = os.cpus;
  (os as any).cpus = () => Array.from({ length: 2 * threads }, () => realCpus()[0]);
  const mod = await factory({
    locateFile: (p: string) => p.endsWith('.worker.js') ? workerPath : p.endsWith('.wasm') ? path.join(pkgDir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm') : p,
    mainScriptUrlOrBlob: glue,
    print: (x: string) => console.log('[wasm]', x), printErr: (x: string) => console.log('[wasm err]', x),
  });
  (os as any).cpus = realCpus;
  mod.tfjs = {
    init: mod.cwrap('init', null, []),
    initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
    registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: mod.cwrap('dispose_data', null, ['number']),
    dispose: mod.cwrap('dispose', null, []),
  };
  console.log('module ready', performance.now() - t0, mod.PThread.unusedWorkers.length, mod.PThread.runningWorkers.length, mod.PThread.unusedWorkers.map((w: any) => w.loaded));
  console.log(Object.keys(mod).filter(k=>/thread|pool/i.test(k)).join(' '));
  mod.tfjs.initWithThreadsCount(2);
  console.log('direct', mod.tfjs.getThreadsCount(), mod.PThread.runningWorkers.length);
  return new BackendWasm(mod);
}, 2);
setThreadsCount(threads);
console.log('setBackend', await tf.setBackend('wasm'));
patchWasmKernels();
console.log('running', (tf.backend() as any).wasm.PThread.runningWorkers.length);
console.log('threads', (tf.backend() as any).wasm.tfjs.getThreadsCount());
for (const [m, k, n] of [[512, 64, 256], [512, 256, 64], [2048, 64, 256], [64,64,64]]) {
  const a = tf.randomNormal([m, k]); const b = tf.randomNormal([k, n]);
  for (let i = 0; i < 3; i++) tf.matMul(a, b).dispose();
  const reps = 50;
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.matMul(a, b).dispose();
  const ms = (performance.now() - t0) / reps;
  const c = process.cpuUsage(c0);
  console.log(`${m}x${k}x${n}: ${ms.toFixed(3)} ms, ${(2*m*k*n/ms/1e6).toFixed(2)} GFLOP/s wall, cpu ms/op ${((c.user+c.system)/1000/reps).toFixed(3)}`);
  const r = tf.matMul(a, b); const s = (await r.data()).slice(0, 3); console.log(Array.from(s));
}
process.exit(0);
