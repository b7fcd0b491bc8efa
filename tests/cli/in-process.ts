/** Runs the CLI's `main` in this process with captured output (cheaper than a child process). */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  lines: Record<string, unknown>[];
}

/** `confirm` answers the CLI's yes/no questions (none: nobody at a terminal). */
export async function runCli(
  args: string[],
  opts: { confirm?: (question: string) => Promise<boolean> } = {},
): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        append(String(chunk));
        cb();
      },
    });
  const code = await main(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    confirm: opts.confirm,
  });
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, stdout, stderr, lines };
}
