/**
 * `homolab bench <name> [args…]` — runs `bench/<name>.ts` (the benchmark scripts, which print
 * JSON with `--json`) in a child Node process with tsx, forwarding the remaining arguments.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CliIO } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { packageRoot } from '../package-root';

const benchDir = () => join(packageRoot(), 'bench');

export function benchNames(): string[] {
  if (!existsSync(benchDir())) return [];
  return readdirSync(benchDir())
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.includes('.test.'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export function benchCommand(
  name: string | undefined,
  args: string[],
  io: CliIO,
): Promise<ExitCode> {
  const names = benchNames();
  if (!name) {
    io.stdout.write(`benchmarks: ${names.join(', ') || 'none'}\n`);
    return Promise.resolve(EXIT.OK);
  }
  if (!names.includes(name))
    throw new CliError(
      `unknown benchmark '${name}'; available: ${names.join(', ') || 'none'}`,
      EXIT.NOT_FOUND,
    );
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(
    process.execPath,
    ['--import', tsx, join(benchDir(), `${name}.ts`), ...args],
    {
      stdio: 'inherit',
      cwd: packageRoot(),
    },
  );
  return new Promise((resolve) =>
    child.on('exit', (code, signal) =>
      resolve((signal ? EXIT.ERROR : (code ?? EXIT.ERROR)) as ExitCode),
    ),
  );
}
