/**
 * `homolab` — the command-line lab: train experiments, inspect, resume, export and import.
 * Every command has `--help`; `--db FILE` picks the store (default: the desktop app's); `--json`
 * makes output one JSON object per line (errors too). Exit codes: see exit-codes.ts. The
 * command tree is in program.ts; each command loads its module when it runs.
 */
import { CommanderError } from 'commander';
import { InvalidTransitionError, NotFoundError } from '../../db/errors';
import { ApiCallError } from '../api/client';
import { type CliIO, defaultIO } from './context';
import { CliError, EXIT, exitCodeOfApiError, type ExitCode } from './exit-codes';
import { buildProgram } from './program';
import { jsonLine } from './progress';

export { buildProgram };

/** Maps any error to (exit code, one-line message, JSON details). */
function classify(err: unknown): { code: ExitCode; message: string; details?: unknown } {
  if (err instanceof CliError)
    return { code: err.code, message: err.message, details: err.details };
  if (err instanceof ApiCallError)
    return {
      code: exitCodeOfApiError(err.code),
      // The API asks its callers for `confirmCost: true`; on the command line that is --yes.
      message:
        (err.code as string) === 'needs_confirmation'
          ? `${err.message} (run again with --yes to go ahead)`
          : err.message,
      details: err.error.issues ? { issues: err.error.issues } : undefined,
    };
  if (err instanceof NotFoundError) return { code: EXIT.NOT_FOUND, message: err.message };
  if (err instanceof InvalidTransitionError)
    return { code: EXIT.INVALID_INPUT, message: err.message };
  const e = err as Error & { name?: string };
  if (e?.name === 'BackendUnavailableError') return { code: EXIT.BACKEND, message: e.message };
  if (/Import|Bundle/.test(e?.name ?? '')) return { code: EXIT.INVALID_INPUT, message: e.message };
  return { code: EXIT.ERROR, message: e?.message ?? String(err) };
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<ExitCode> {
  const result = { code: EXIT.OK as ExitCode };
  const program = buildProgram(io, result);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exitCode 0; usage errors are already printed.
      if (err.exitCode === 0) return EXIT.OK;
      if (json)
        io.stdout.write(jsonLine({ type: 'error', code: EXIT.USAGE, message: err.message }));
      return EXIT.USAGE;
    }
    const { code, message, details } = classify(err);
    if (json) io.stdout.write(jsonLine({ type: 'error', code, message, details }));
    else io.stderr.write(`homolab: error: ${message.split('\n').join('; ')}\n`);
    return code;
  }
}
