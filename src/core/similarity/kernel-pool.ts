/**
 * A small pool of `node:worker_threads` workers that run the product kernels' work items
 * (row-dots.wat `outerItem` / `dotsItem`) on a WebAssembly memory shared with the main thread.
 *
 * Why: the float64 products behind linear CKA are compute-bound and a single wasm thread reaches
 * ~20 GFLOP/s; NumPy's BLAS uses every core. The public similarity API is synchronous, so the
 * calling thread hands out items through an atomic ticket counter, takes items itself, and waits
 * with `Atomics.wait` (allowed on Node's main thread) until every item is done.
 *
 * Determinism: an item always covers the same output rows and sums each output element in the
 * same order (the loop lives in wasm), so results are bit-for-bit the same whatever the number of
 * threads and whichever thread runs which item.
 *
 * The workers get their code as an inline string (`eval: true`), so this works under tsx, in the
 * bundled Electron main process and in `homolab serve` without a separate script file. They are
 * `unref()`ed (never keep a process alive) and block in `Atomics.wait` between jobs (no CPU).
 * Where `worker_threads` or SharedArrayBuffer is missing (browsers), `startPool` returns
 * undefined and callers run every item on the calling thread.
 *
 * Control block (Int32Array over its own SharedArrayBuffer, so memory growth never moves it):
 * GEN is bumped per job (workers wait on it); NEXT packs the job's 15-bit generation with the
 * next unclaimed item, so a worker that read an old job's parameters can never claim an item of
 * a newer one (its compare-exchange fails on the generation); DONE counts finished items.
 */

const GEN = 0;
const NEXT = 1;
const DONE = 2;
const FN = 3;
const NITEMS = 4;
const READY = 5;
const WORKER_ITEMS = 6;
const NPARAMS = 7;
/** Set by a worker whose item threw (a kernel trap): the job's result is not to be trusted. */
const FAILED = 8;
const PARAMS = 10;
const MAX_PARAMS = 12;
/** Items per job are capped so that the item index fits NEXT's low 16 bits. */
export const MAX_ITEMS = 0xffff;

/** Exported kernel functions a job can run, by index (the worker maps them the same way). */
export const POOL_FUNCTIONS = ['outerItem', 'dotsItem'] as const;
export type PoolFunction = (typeof POOL_FUNCTIONS)[number];

type ItemFn = (...args: number[]) => void;

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (e: unknown) => void): void;
}

interface WorkerThreads {
  Worker: new (
    src: string,
    options: { eval: true; workerData: unknown; execArgv: string[] },
  ) => WorkerLike;
}

export interface KernelPool {
  /** Threads taking part in a job, the calling thread included. */
  readonly threads: number;
  /** Runs `fn(...params, item)` for every item in [0, nItems) across the pool; returns when done. */
  run(fn: PoolFunction, params: readonly number[], nItems: number): void;
  /** Resolves once every worker has instantiated the kernel (for tests and benchmarks). */
  ready(): Promise<void>;
  /** Items run by workers since the pool started (for tests: proves the workers took part). */
  workerItems(): number;
  /** Terminates the workers. */
  close(): Promise<void>;
}

/**
 * The worker's whole program. It instantiates the kernel on the shared memory, then loops: wait
 * for a new generation, claim items of that generation with compare-exchange, run them.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, names } = workerData;
const c = new Int32Array(control);
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => ex[n]);
Atomics.add(c, ${READY}, 1);
Atomics.notify(c, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(c, ${GEN}, seen);
  const gen = Atomics.load(c, ${GEN});
  seen = gen;
  const fn = fns[c[${FN}]];
  const n = c[${NITEMS}];
  const p = Array.from(c.subarray(${PARAMS}, ${PARAMS} + c[${NPARAMS}]));
  for (;;) {
    const v = Atomics.load(c, ${NEXT});
    const item = v & 0xffff;
    if (v >>> 16 !== gen || item >= n) break;
    if (Atomics.compareExchange(c, ${NEXT}, v, v + 1) !== v) continue;
    try {
      fn(...p, item);
    } catch {
      Atomics.store(c, ${FAILED}, 1);
    }
    Atomics.add(c, ${WORKER_ITEMS}, 1);
    Atomics.add(c, ${DONE}, 1);
    Atomics.notify(c, ${DONE});
  }
}
`;

function workerThreads(): WorkerThreads | undefined {
  const proc = (
    globalThis as {
      process?: { getBuiltinModule?: (id: string) => unknown };
    }
  ).process;
  try {
    return proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts `workers` workers running the kernel `module` on the shared `memory`, with `local`
 * the calling thread's own instance exports. Undefined where threads are unavailable.
 */
export function startPool(
  module: object,
  memory: object,
  local: Record<PoolFunction, ItemFn>,
  workers: number,
): KernelPool | undefined {
  const wt = workerThreads();
  if (!wt || workers < 1 || typeof SharedArrayBuffer === 'undefined') return undefined;
  const control = new SharedArrayBuffer(4 * (PARAMS + MAX_PARAMS));
  const c = new Int32Array(control);
  const list: WorkerLike[] = [];
  try {
    for (let w = 0; w < workers; w++) {
      const worker = new wt.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control, names: POOL_FUNCTIONS },
        // Plain JS needing no loaders: not inheriting the parent's flags (`--import tsx`,
        // a test runner's hooks) keeps start-up to a few milliseconds.
        execArgv: [],
      });
      worker.unref();
      // A worker that fails to start simply never claims items; the caller does them all.
      worker.on('error', () => undefined);
      list.push(worker);
    }
  } catch {
    for (const w of list) void w.terminate();
    return undefined;
  }
  const fns = POOL_FUNCTIONS.map((n) => local[n]);
  let gen = 0;
  const waitDone = (count: number): void => {
    for (;;) {
      const d = Atomics.load(c, DONE);
      if (d >= count) return;
      Atomics.wait(c, DONE, d);
    }
  };
  const run = (fn: PoolFunction, params: readonly number[], nItems: number): void => {
    const f = POOL_FUNCTIONS.indexOf(fn);
    if (params.length > MAX_PARAMS) throw new Error('kernel pool: too many parameters');
    if (nItems > MAX_ITEMS) throw new Error('kernel pool: too many items');
    for (let i = 0; i < params.length; i++) c[PARAMS + i] = params[i];
    c[FN] = f;
    c[NPARAMS] = params.length;
    c[NITEMS] = nItems;
    Atomics.store(c, DONE, 0);
    gen = (gen % 0x7fff) + 1;
    Atomics.store(c, NEXT, gen << 16);
    Atomics.store(c, GEN, gen);
    Atomics.notify(c, GEN);
    const local = fns[f];
    try {
      for (;;) {
        const v = Atomics.load(c, NEXT);
        const item = v & 0xffff;
        if (item >= nItems) break;
        if (Atomics.compareExchange(c, NEXT, v, v + 1) !== v) continue;
        local(...params, item);
        Atomics.add(c, DONE, 1);
      }
    } catch (e) {
      // Close the job to further claims and let the workers finish the items they hold, so
      // none of them can count towards the next job; then report the error.
      const claimed = Math.min(Atomics.exchange(c, NEXT, (gen << 16) | 0xffff) & 0xffff, nItems);
      waitDone(claimed - 1);
      throw e;
    }
    waitDone(nItems);
    if (Atomics.exchange(c, FAILED, 0) !== 0)
      throw new Error('similarity kernel: a worker thread failed while computing a product');
  };
  return {
    threads: workers + 1,
    run,
    async ready() {
      // Atomics.waitAsync is not in every lib typing; poll gently instead. A worker that failed
      // to start never counts itself in, so give up after a while: jobs run without it anyway.
      const until = Date.now() + 10_000;
      while (Atomics.load(c, READY) < workers && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 5));
    },
    workerItems: () => Atomics.load(c, WORKER_ITEMS),
    async close() {
      await Promise.all(list.map((w) => w.terminate()));
    },
  };
}
