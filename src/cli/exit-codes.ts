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
  /** Invalid input: an experiment spec, a bundle or another file that fails validation. */
  INVALID_INPUT: 3,
  /** No such experiment, run, preset or file. */
  NOT_FOUND: 4,
  /** Training ended but some runs did not complete (failed, diverged or cancelled). */
  RUNS_INCOMPLETE: 5,
  /** The training worker died; runs are `interrupted` and can be resumed. */
  INTERRUPTED: 6,
  /** The backend cannot run this: unavailable, out of memory, or the GPU device was lost. */
  BACKEND: 7,
  /** Stopped by Ctrl-C (runs cancelled). */
  SIGINT: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0    success (every run completed)
  1    unexpected error
  2    bad command line
  3    invalid input (spec, bundle or file failed validation)
  4    not found (experiment, run, preset or file)
  5    training ended but some runs failed, diverged or were cancelled
  6    the training worker died; runs are interrupted (homolab resume …)
  7    backend problem: unavailable, out of memory, or GPU device lost
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
