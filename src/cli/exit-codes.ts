/**
 * Exit codes of `homolab`, stable for scripts (documented in `homolab --help`).
 */
export const EXIT = {
  /** Everything asked for succeeded (every run completed). */
  OK: 0,
  /** Unexpected error (a bug, an I/O failure). */
  ERROR: 1,
  /** Bad command line: unknown command or option, missing argument. */
  USAGE: 2,
  /**
   * Invalid input: an experiment spec, a bundle or another file that fails validation; or
   * something the lab's state does not allow now (deleting an experiment while it trains).
   */
  INVALID_INPUT: 3,
  /** No such experiment, run, preset or file. */
  NOT_FOUND: 4,
  /** Training ended but some runs did not complete (failed, diverged or cancelled). */
  RUNS_INCOMPLETE: 5,
  /** The training worker died; runs are `interrupted` and can be resumed. */
  INTERRUPTED: 6,
  /** The backend cannot run this: unavailable, out of memory, or the GPU device was lost. */
  BACKEND: 7,
  /** The estimated cost asks for a confirmation: repeat with `--yes` (nothing was started). */
  NEEDS_CONFIRMATION: 8,
  /** Stopped by Ctrl-C (runs cancelled). */
  SIGINT: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0    success (every run completed)
  1    unexpected error
  2    bad command line
  3    invalid input (spec, bundle or file failed validation), or not possible now
  4    not found (experiment, run, preset or file)
  5    training ended but some runs failed, diverged or were cancelled
  6    the training worker died; runs are interrupted (homolab resume …)
  7    backend problem: unavailable, out of memory, or GPU device lost
  8    needs confirmation (a costly run, a delete): repeat with --yes
  130  stopped by Ctrl-C`;

/** An error that carries its exit code; the top level prints its message as one line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The exit code of each error code of the API (src/api/contract.ts): the one place where an
 * operation's failure becomes the command's exit status. Codes the CLI never meets (those of
 * the HTTP transport) count as unexpected.
 */
const API_ERROR_EXIT: Readonly<Record<string, ExitCode>> = {
  invalid_input: EXIT.INVALID_INPUT,
  conflict: EXIT.INVALID_INPUT,
  unsupported: EXIT.INVALID_INPUT,
  not_found: EXIT.NOT_FOUND,
  over_capacity: EXIT.BACKEND,
  needs_confirmation: EXIT.NEEDS_CONFIRMATION,
};

export function exitCodeOfApiError(code: string): ExitCode {
  return API_ERROR_EXIT[code] ?? EXIT.ERROR;
}
