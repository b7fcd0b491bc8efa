/**
 * `homolab serve [--host H] [--port P] [--backend B]`: the whole lab — store, runner, training
 * worker and the built UI — behind HTTP + WebSocket on 127.0.0.1, for a headless GPU box or a
 * browser. Prints a one-time URL carrying the per-launch token; the browser trades it for an
 * HttpOnly cookie. Runs until Ctrl-C / SIGTERM.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startServer, defaultRendererDir } from '../../server/start-server';
import { BACKEND_CHOICES, type BackendChoice } from '../../experiments/execution/worker/protocol';
import { type CliIO, type GlobalOptions } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { jsonLine } from '../progress';
import { resolveStorePath } from '../paths';
import { parseWorkers } from './run';

interface ServeOptions extends GlobalOptions {
  host: string;
  port: string;
  backend: BackendChoice;
  workers?: string;
}

/** Builds the renderer with vite when this checkout has no build yet (first `serve` after `npm ci`). */
async function ensureRendererBuilt(io: CliIO, quiet: boolean): Promise<string> {
  const dir = defaultRendererDir();
  if (existsSync(join(dir, 'index.html'))) return dir;
  const config = fileURLToPath(new URL('../../../renderer/vite.config.ts', import.meta.url));
  if (!existsSync(config))
    throw new CliError(`the UI is not built and its sources are missing (${config})`, EXIT.ERROR);
  if (!quiet) io.stderr.write('homolab: building the UI once (vite build)…\n');
  const { build } = await import('vite');
  await build({ configFile: config, logLevel: 'warn' });
  return defaultRendererDir();
}

async function serveCommand(opts: ServeOptions, io: CliIO): Promise<ExitCode> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be an integer in 0..65535, got ${opts.port}`, EXIT.USAGE);
  const dbPath = resolveStorePath(opts.db);
  mkdirSync(dirname(dbPath), { recursive: true });
  const rendererDir = await ensureRendererBuilt(io, !!opts.json);
  const served = await startServer({
    dbPath,
    host: opts.host,
    port,
    backend: opts.backend,
    workers: parseWorkers(opts.workers),
    rendererDir,
    log: (line) => io.stderr.write(`${line}\n`),
  });
  if (opts.json) io.stdout.write(jsonLine({ type: 'serving', url: served.url, db: dbPath }));
  else io.stdout.write(`Homolab is serving ${dbPath}\nOpen ${served.url}\n(Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await served.close();
  return EXIT.OK;
}

export function registerServeCommand(
  program: Command,
  io: CliIO,
  result: { code: ExitCode },
): void {
  program
    .command('serve')
    .description('serve the lab and its UI over HTTP + WebSocket (127.0.0.1, token-protected)')
    .option(
      '--host <address>',
      'address to bind (anything but loopback prints a warning)',
      '127.0.0.1',
    )
    .option('--port <n>', 'port (0: any free port)', '0')
    .option('--backend <name>', `compute backend: ${BACKEND_CHOICES.join(' | ')}`, 'auto')
    .option('--workers <n>', 'worker processes training at once (default: one per core)')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals() as ServeOptions;
      if (!(BACKEND_CHOICES as readonly string[]).includes(opts.backend))
        throw new CliError(
          `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${opts.backend}`,
          EXIT.USAGE,
        );
      result.code = await serveCommand(opts, io);
    });
}
