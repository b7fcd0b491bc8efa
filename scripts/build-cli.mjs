/**
 * Builds the `homolab` command into dist/cli/ with esbuild, so it starts without compiling
 * TypeScript: `homolab.js` (the CLI, `homolab serve` included), `worker-main.js` (the training
 * worker the CLI and serve fork; node-host finds it next to the bundle) and the chunks that the
 * commands load on demand (tfjs, the wasm kernels and the similarity code only where a command
 * trains or analyses). `build-info.json` lists the source files that went in, so bin/homolab.js
 * can tell when a development checkout's build is older than its sources.
 *
 * Plain JavaScript on purpose: bin/homolab.js imports it at every start to check the build
 * (`staleness`, cheap: esbuild is loaded only to build) and to build on first run, before any
 * TypeScript loader is at hand. Run by `npm ci` (the `prepare` script) and `npm run build:cli`.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
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

/**
 * zod's namespace export keeps its ~40 message translations (a third of the bundle that every
 * command opening the lab parses); the lab reports errors in English, so only `en` is bundled.
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(args.resolveDir, '../locales/en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: ROOT,
    }));
  },
};

/** Old chunks are kept a while: a process started before a rebuild may still load them. */
const KEEP_OLD_MS = 24 * 3600 * 1000;

/** Writes a file by renaming a temporary one over it, so a concurrent reader sees old or new. */
function writeAtomic(path, contents) {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Why the build in `outDir` cannot be used as it is — missing, or older than one of the source
 * files it was built from — or null when it can. An installed package ships no sources: inputs
 * that do not exist are not compared.
 */
export function staleness(outDir = CLI_DIST) {
  const info = join(outDir, BUILD_INFO);
  if (!existsSync(join(outDir, 'homolab.js')) || !existsSync(info)) return 'it is not built yet';
  let built;
  try {
    built = JSON.parse(readFileSync(info, 'utf8'));
  } catch {
    return 'its build info is unreadable';
  }
  for (const input of built.inputs) {
    const mtime = statSync(join(ROOT, input), { throwIfNoEntry: false })?.mtimeMs;
    if (mtime !== undefined && mtime > built.builtAt) return `${input} changed`;
  }
  return null;
}

/**
 * Builds the CLI into `outDir` (default dist/cli). Several processes may build at once (tests
 * starting the CLI right after an edit): the output is deterministic and every file is replaced
 * atomically, the build info last. Returns the build time in ms, the files written and
 * esbuild's metafile (what each output imports).
 */
export async function buildCli({ outDir = CLI_DIST } = {}) {
  const started = Date.now();
  const { build } = await import('esbuild');
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
    plugins: [englishOnlyZod],
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
  return { ms: Date.now() - started, files: [...written].sort(), metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--clean') && existsSync(CLI_DIST))
    rmSync(CLI_DIST, { recursive: true, force: true });
  const { ms, files } = await buildCli();
  console.log(`built ${relative(ROOT, CLI_DIST)} (${files.length} files, ${ms} ms)`);
}
