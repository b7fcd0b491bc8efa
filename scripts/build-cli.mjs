/**
 * Builds the `homolab` command into dist/cli/ with esbuild, so it starts without compiling
 * TypeScript: `homolab.js` (the CLI, `homolab serve` included), `worker-main.js` (the training
 * worker the CLI and serve fork; node-host finds it next to the bundle) and the chunks that the
 * commands load on demand (tfjs, the wasm kernels and the similarity code only where a command
 * trains or analyses). `build-info.json` lists the source files that went in, so bin/homolab.js
 * can tell when a development checkout's build is older than its sources.
 *
 * Plain JavaScript on purpose: bin/homolab.js imports it to build on first run, before any
 * TypeScript loader is at hand. Run by `npm ci` (the `prepare` script) and `npm run build:cli`.
 */
import { build } from 'esbuild';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_DIST = join(ROOT, 'dist', 'cli');
export const BUILD_INFO = 'build-info.json';

const ENTRIES = {
  homolab: 'src/cli/entry.ts',
  'worker-main': 'src/experiments/execution/worker/worker-main.ts',
};

/**
 * Left in node_modules: native addons, tfjs (its backends must share one tfjs-core and find
 * their own .wasm files), and tools that only a development checkout loads.
 */
const EXTERNAL = [
  '@tensorflow/*',
  'better-sqlite3',
  'webgpu',
  'vite',
  'electron',
  'tsx',
  'esbuild',
  'bufferutil',
  'utf-8-validate',
];

/** Bundled CommonJS packages (commander, ws) call `require` for Node's own modules. */
const BANNER =
  "import { createRequire as __homolabCreateRequire } from 'node:module';\n" +
  'const require = __homolabCreateRequire(import.meta.url);';

/** Old chunks are kept a while: a process started before a rebuild may still load them. */
const KEEP_OLD_MS = 24 * 3600 * 1000;

/** Writes a file by renaming a temporary one over it, so a concurrent reader sees old or new. */
function writeAtomic(path, contents) {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Builds the CLI into `outDir` (default dist/cli). Several processes may build at once (tests
 * starting the CLI right after an edit): the output is deterministic and every file is replaced
 * atomically, the build info last. Returns the build time in ms and the files written.
 */
export async function buildCli({ outDir = CLI_DIST } = {}) {
  const started = Date.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: BANNER },
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(outDir, { recursive: true });
  const written = new Set([BUILD_INFO]);
  for (const file of result.outputFiles) {
    writeAtomic(file.path, file.contents);
    written.add(relative(outDir, file.path));
  }
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules'));
  writeAtomic(join(outDir, BUILD_INFO), JSON.stringify({ builtAt: started, inputs }) + '\n');
  for (const name of readdirSync(outDir)) {
    const path = join(outDir, name);
    if (!written.has(name) && Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS)
      rmSync(path, { force: true });
  }
  return { ms: Date.now() - started, files: [...written].sort() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--clean') && existsSync(CLI_DIST))
    rmSync(CLI_DIST, { recursive: true, force: true });
  const { ms, files } = await buildCli();
  console.log(`built ${relative(ROOT, CLI_DIST)} (${files.length} files, ${ms} ms)`);
}
