/**
 * `homolab` — the command-line lab: train experiments, inspect, resume, export and import.
 * Every command has `--help`; `--db FILE` picks the store (default: the desktop app's); `--json`
 * makes output one JSON object per line (errors too). Exit codes: see exit-codes.ts.
 */
import { APP_VERSION } from '../core/version';
import { Command, CommanderError, Option } from 'commander';
import { InvalidTransitionError, NotFoundError } from '../../db/errors';
import { type CliIO, defaultIO, type GlobalOptions } from './context';
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes';
import { benchCommand } from './commands/bench';
import { registerAnalyzeCommand } from './commands/analyze';
import { registerCompareCommand } from './commands/compare';
import { registerMeasureCommand } from './commands/measure';
import { registerStudyCommand } from './commands/study';
import { registerServeCommand } from './commands/serve';
import { exportCommand, importCommand } from './commands/transfer';
import { listCommand, showCommand } from './commands/inspect';
import {
  estimateCommand,
  presetsCommand,
  schemaCommand,
  validateCommand,
} from './commands/presets';
import { resumeCommand, runCommand } from './commands/run';
import { BACKEND_CHOICES } from '../experiments/execution/worker/protocol';
import { jsonLine } from './progress';
import { resolveStorePath } from './paths';

const VERSION = APP_VERSION;

function backendOption(): Option {
  return new Option('--backend <name>', 'compute backend').choices(BACKEND_CHOICES).default('auto');
}

/** Builds the command tree; actions record their exit code in `result.code`. */
export function buildProgram(io: CliIO, result: { code: ExitCode }): Command {
  const program = new Command('homolab')
    .description(
      'Homolab: train Transformer variants on the same data and measure how alike they become.',
    )
    .version(VERSION)
    .option('--db <file>', `store file (default: ${resolveStorePath()})`)
    .option('--json', 'machine-readable output: one JSON object per line')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  const globals = (cmd: Command) =>
    cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
  const set = (p: Promise<ExitCode> | ExitCode) =>
    Promise.resolve(p).then((c) => {
      result.code = c;
    });

  program
    .command('run')
    .description('validate an experiment spec, create the experiment and train it')
    .argument('<spec.json>', 'experiment spec (see `homolab presets`, `homolab schema`)')
    .addOption(backendOption())
    .option('--max-group <n>', 'most runs trained together in one stacked model', '16')
    .option('--no-lockstep', 'train every run alone (no stacking)')
    .option(
      '--yes',
      'go ahead although the estimate asks for confirmation (over 24 h, memory short now)',
    )
    .action((file: string, _o, cmd: Command) => set(runCommand(file, globals(cmd), io)));

  program
    .command('resume')
    .description(
      'continue interrupted runs from their last checkpoint: one run, or exp-N for all of an experiment',
    )
    .argument('<run>', 'run-N (or N), or exp-N')
    .addOption(backendOption())
    .option('--max-group <n>', 'most runs trained together in one stacked model', '16')
    .option('--no-lockstep', 'train every run alone (no stacking)')
    .action((ref: string, _o, cmd: Command) => set(resumeCommand(ref, globals(cmd), io)));

  program
    .command('list')
    .description('list experiments in the store')
    .action((_o, cmd: Command) => set(listCommand(globals(cmd), io)));

  program
    .command('show')
    .description('show an experiment (exp-N or N) with its runs, or one run (run-N)')
    .argument('<experiment|run>', 'exp-N, N, or run-N')
    .action((ref: string, _o, cmd: Command) => set(showCommand(ref, globals(cmd), io)));

  program
    .command('export')
    .description('export run histories to CSV, a JSON bundle, or Parquet')
    .requiredOption('--format <format>', 'csv | json | parquet')
    .option('--experiment <id>', 'only this experiment (exp-N or N)')
    .option('--checkpoints', 'JSON bundle: include checkpoints')
    .requiredOption('--out <file>', 'output file')
    .action((_o, cmd: Command) => set(exportCommand(globals(cmd), io)));

  program
    .command('import')
    .description('import a JSON bundle exported by `homolab export --format json`')
    .argument('<file>', 'bundle file')
    .action((file: string, _o, cmd: Command) => set(importCommand(file, globals(cmd), io)));

  program
    .command('presets')
    .description('list the built-in experiment presets, or print one as a spec')
    .argument('[id]', 'preset id: print its spec')
    .option('--tiny', 'the tiny size (seconds to train; for tests and a quick look)')
    .action((id: string | undefined, _o, cmd: Command) =>
      set(presetsCommand(id, globals(cmd), io)),
    );

  program
    .command('validate')
    .description('check an experiment spec without training')
    .argument('<spec.json>')
    .action((file: string, _o, cmd: Command) => set(validateCommand(file, globals(cmd), io)));

  program
    .command('estimate')
    .description('cost estimate of a spec: parameters, FLOPs, expected time')
    .argument('<spec.json>')
    .addOption(backendOption())
    .action((file: string, _o, cmd: Command) => set(estimateCommand(file, globals(cmd), io)));

  program
    .command('schema')
    .description('print (or write) the JSON Schema of experiment specs')
    .option('--out <file>', 'write to this file')
    .action((_o, cmd: Command) => set(schemaCommand(globals(cmd), io)));

  program
    .command('bench')
    .description('run a benchmark script from bench/ (e.g. `homolab bench train --json`)')
    .argument('[name]', 'benchmark name; omit to list them')
    .argument('[args...]', 'arguments for the benchmark')
    .allowUnknownOption()
    .helpOption(false)
    .action((name: string | undefined, args: string[]) => set(benchCommand(name, args)));

  registerAnalyzeCommand(program, io, result);
  registerCompareCommand(program, io, result);
  registerMeasureCommand(program, io, result);
  registerStudyCommand(program, io, result);
  registerServeCommand(program, io, result);

  return program;
}

/** Maps any error to (exit code, one-line message, JSON details). */
function classify(err: unknown): { code: ExitCode; message: string; details?: unknown } {
  if (err instanceof CliError)
    return { code: err.code, message: err.message, details: err.details };
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
