// losses of 5 steps on the small config, for thread-count comparisons
import { initBackend } from '../../src/core/engine';
import { BENCH_SMALL, measureTraining } from '../../src/core/train/benchmark';
const info = await initBackend('wasm');
const r = await measureTraining(BENCH_SMALL, [1, 2], 5, 0);
console.log(JSON.stringify({ device: info.device, losses: r.finalLosses }));
process.exit(0);
