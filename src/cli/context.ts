/**
 * Shared plumbing of the commands: global options, the output streams, writing results.
 * Light on purpose: every command imports it, `homolab --version` included.
 */
import { jsonLine } from './progress';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
}

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  /**
   * Asks a yes/no question and resolves to the answer; absent where nobody can answer (piped
   * input, tests), and then a command that needs a confirmation asks for `--yes` instead.
   */
  confirm?: (question: string) => Promise<boolean>;
}

/** A yes/no question on the terminal; only where stdin and stderr are one. */
async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export const defaultIO: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  confirm: process.stdin.isTTY && process.stderr.isTTY ? askOnTerminal : undefined,
};

/** Prints a result: JSON (one line) with `--json`, else the human text. */
export function emit(io: CliIO, opts: GlobalOptions, json: unknown, human: () => string): void {
  if (opts.json) io.stdout.write(jsonLine(json));
  else io.stdout.write(human() + '\n');
}
