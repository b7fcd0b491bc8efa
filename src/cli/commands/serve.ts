/**
 * `homolab serve [--host H] [--port P] [--open] [--backend B]`: the whole lab — store, runner,
 * training worker and the built UI — behind HTTP + WebSocket on 127.0.0.1, for a headless GPU
 * box or a browser. Prints a one-time URL carrying the per-launch token (the browser trades it
 * for an HttpOnly cookie) and the backend training will use; `--open` hands the URL to the
 * default browser. While it runs, a control file next to the store lets `homolab pause`,
 * `cancel` and `delete` in another terminal act on this lab (serve-control.ts). Runs until
 * Ctrl-C / SIGTERM.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Logger } from 'vite';
import type { BackendStatus } from '../../api/types';
import { defaultRendererDir, startServer } from '../../server/start-server';
import { type CliIO } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { type LabCommandOptions, parseBackend, parseWorkers } from '../lab';
import { openBrowser } from '../open-browser';
import { packageRoot } from '../package-root';
import { resolveStorePath } from '../paths';
import { jsonLine } from '../progress';
import { advertiseServe } from '../serve-control';

export interface ServeOptions extends LabCommandOptions {
  host: string;
  port: string;
  open?: boolean;
}

/**
 * vite's logger for the first build: progress dropped, warnings and errors as plain lines (no
 * colour codes, whatever the terminal or CI says).
 */
export function plainViteLogger(write: (line: string) => void): Logger {
  const warned = new Set<string>();
  const plain = (msg: string) => {
    logger.hasWarned = true;
    write(`homolab: vite: ${stripVTControlCharacters(msg)}\n`);
  };
  const logger: Logger = {
    info: () => undefined,
    warn: plain,
    warnOnce: (msg) => {
      if (!warned.has(msg)) plain(msg);
      warned.add(msg);
    },
    error: plain,
    clearScreen: () => undefined,
    hasErrorLogged: () => false,
    hasWarned: false,
  };
  return logger;
}

/**
 * Builds the renderer with vite when this checkout has no build yet (first `serve` after
 * `npm ci`): quietly, then one line. Colour is off when stderr is not a terminal (a log file,
 * CI), also for what vite's plugins print themselves.
 */
async function ensureRendererBuilt(io: CliIO, quiet: boolean): Promise<string> {
  const dir = defaultRendererDir();
  if (existsSync(join(dir, 'index.html'))) return dir;
  const config = join(packageRoot(), 'renderer', 'vite.config.ts');
  if (!existsSync(config))
    throw new CliError(`the UI is not built and its sources are missing (${config})`, EXIT.ERROR);
  if (!quiet) io.stderr.write('homolab: building the UI once (vite build)…\n');
  const started = Date.now();
  if (!process.stderr.isTTY) {
    process.env.NO_COLOR = '1';
    delete process.env.FORCE_COLOR;
  }
  const { build } = await import('vite');
  await build({
    configFile: config,
    logLevel: 'warn',
    customLogger: plainViteLogger((line) => io.stderr.write(line)),
  });
  if (!quiet)
    io.stderr.write(`homolab: built the UI in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return defaultRendererDir();
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be an integer in 0..65535, got ${text}`, EXIT.USAGE);
  return port;
}

export function backendLine(b: BackendStatus): string {
  return b.resolved
    ? `backend: ${b.resolved} (${b.device}) — ${b.reason}`
    : `backend: ${b.choice} could not be set up: ${b.reason}`;
}

export async function serveCommand(opts: ServeOptions, io: CliIO): Promise<ExitCode> {
  const port = parsePort(opts.port);
  const backend = parseBackend(opts.backend);
  const dbPath = resolveStorePath(opts.db);
  mkdirSync(dirname(dbPath), { recursive: true });
  const rendererDir = await ensureRendererBuilt(io, !!opts.json);
  const log = (line: string) => io.stderr.write(`${line}\n`);
  let served;
  try {
    served = await startServer({
      dbPath,
      host: opts.host,
      port,
      backend,
      workers: parseWorkers(opts.workers),
      rendererDir,
      log,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new CliError(
        `port ${port} on ${opts.host} is in use (another homolab serve?); ` +
          'choose another with --port N, or leave --port out for any free one',
        EXIT.ERROR,
      );
    if (code === 'EACCES')
      throw new CliError(
        `not allowed to listen on port ${port} (ports below 1024 need root)`,
        EXIT.ERROR,
      );
    throw err;
  }
  const withdraw = advertiseServe(dbPath, { origin: served.origin, token: served.token });
  if (opts.json) io.stdout.write(jsonLine({ type: 'serving', url: served.url, db: dbPath }));
  else io.stdout.write(`Homolab is serving ${dbPath}\nOpen ${served.url}\n(Ctrl-C to stop)\n`);
  if (opts.open) {
    const why = await openBrowser(served.url);
    if (why) log(`homolab: could not open a browser (${why}); open the URL above yourself`);
  }
  // Which backend training will use, asked of a worker now rather than at the first training;
  // afterwards one line whenever training settles on another one.
  let said = '';
  const say = (b: BackendStatus) => {
    const line = backendLine(b);
    if (line === said) return;
    said = line;
    if (opts.json) io.stdout.write(jsonLine({ type: 'backend', ...b }));
    else log(line);
  };
  const lab = served.lab;
  const off = lab.service.on((e) => {
    if (e.type === 'backend') say(lab.backend);
  });
  void lab.probeBackend().then(say);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  off();
  withdraw();
  await served.close();
  return EXIT.OK;
}
