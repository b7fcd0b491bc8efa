/**
 * The command tree of `homolab`: every command's arguments, options and help. Each action loads
 * its command module only when it runs (`await import('./commands/…')`), so `homolab --version`
 * or `homolab list` never load the training, analysis or similarity code (tfjs, the wasm
 * kernels): this module imports nothing heavier than commander and plain data.
 */
import { Command, Option } from 'commander';
import { APP_VERSION } from '../core/version';
import {
  MEASURE_CATALOGUE,
  MEASURE_IDS,
  REPRESENTATION_MEASURE_IDS,
} from '../core/similarity/catalogue';
import { BACKEND_CHOICES } from '../experiments/execution/worker/protocol';
import { STUDY_SCALES } from '../experiments/studies/types';
import type { ServeOptions } from './commands/serve';
import type { CliIO, GlobalOptions } from './context';
import { EXIT_CODES_HELP, type ExitCode } from './exit-codes';
import { resolveStorePath } from './paths';

function backendOption(what = 'compute backend'): Option {
  return new Option('--backend <name>', what).choices(BACKEND_CHOICES).default('auto');
}

function trainingOptions(cmd: Command): Command {
  return cmd
    .addOption(backendOption())
    .option('--max-group <n>', 'most runs trained together in one stacked model', '16')
    .option('--no-lockstep', 'train every run alone (no stacking)')
    .option('--workers <n>', workersHelp);
}

const workersHelp = 'worker processes training at once (default: one per core)';

/** Builds the command tree; actions record their exit code in `result.code`. */
export function buildProgram(io: CliIO, result: { code: ExitCode }): Command {
  const program = new Command('homolab')
    .description(
      'Homolab: train Transformer variants on the same data and measure how alike they become.',
    )
    .version(APP_VERSION)
    .option('--db <file>', `store file (default: ${resolveStorePath()})`)
    .option('--json', 'machine-readable output: one JSON object per line')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  type Opts = GlobalOptions & Record<string, unknown>;
  const globals = (cmd: Command) => cmd.optsWithGlobals() as Opts;
  const set = async (p: Promise<ExitCode> | ExitCode) => {
    result.code = await p;
  };

  // ---- training ------------------------------------------------------------------------------
  trainingOptions(
    program
      .command('run')
      .description('validate an experiment spec, create the experiment and train it')
      .argument('<spec.json>', 'experiment spec (see `homolab presets`, `homolab schema`)'),
  )
    .option('--yes', 'go ahead when the estimated cost asks for a confirmation')
    .option(
      '--from <run>',
      'fine-tune: start every run from run-N (its last checkpoint) or run-N@step',
    )
    .action(async (file: string, _o, cmd: Command) => {
      const { runCommand } = await import('./commands/run');
      await set(runCommand(file, globals(cmd), io));
    });

  trainingOptions(
    program
      .command('resume')
      .description(
        'continue interrupted runs from their last checkpoint: one run, or exp-N for all of an experiment',
      )
      .argument('<run>', 'run-N (or N), or exp-N'),
  ).action(async (ref: string, _o, cmd: Command) => {
    const { resumeCommand } = await import('./commands/run');
    await set(resumeCommand(ref, globals(cmd), io));
  });

  for (const [name, description] of [
    ['pause', 'pause an experiment that is training (after the current step); resume continues it'],
    ['cancel', 'cancel the training of an experiment, or of single runs; finished runs are kept'],
  ] as const)
    program
      .command(name)
      .description(description)
      .argument('<targets...>', 'exp-N (or N), or run-N')
      .action(async (refs: string[], _o, cmd: Command) => {
        const { controlCommand } = await import('./commands/control');
        await set(controlCommand(name, refs, globals(cmd), io));
      });

  program
    .command('delete')
    .description('delete experiments (with their runs, metrics and analyses) or single runs')
    .argument('<targets...>', 'exp-N (or N), or run-N')
    .option('--yes', 'do not ask for confirmation')
    .action(async (refs: string[], _o, cmd: Command) => {
      const { deleteCommand } = await import('./commands/control');
      await set(deleteCommand(refs, globals(cmd), io));
    });

  // ---- the store -----------------------------------------------------------------------------
  program
    .command('list')
    .description('list experiments in the store')
    .action(async (_o, cmd: Command) => {
      const { listCommand } = await import('./commands/inspect');
      await set(listCommand(globals(cmd), io));
    });

  program
    .command('show')
    .description('show an experiment (exp-N or N) with its runs, or one run (run-N)')
    .argument('<experiment|run>', 'exp-N, N, or run-N')
    .action(async (ref: string, _o, cmd: Command) => {
      const { showCommand } = await import('./commands/inspect');
      await set(showCommand(ref, globals(cmd), io));
    });

  program
    .command('export')
    .description('export run histories to CSV, a JSON bundle, or Parquet')
    .requiredOption('--format <format>', 'csv | json | parquet')
    .option('--experiment <id>', 'only this experiment (exp-N or N)')
    .option('--checkpoints', 'JSON bundle: include checkpoints')
    .requiredOption('--out <file>', 'output file')
    .action(async (_o, cmd: Command) => {
      const { exportCommand } = await import('./commands/transfer');
      await set(exportCommand(globals(cmd), io));
    });

  program
    .command('import')
    .description('import a JSON bundle exported by `homolab export --format json`')
    .argument('<file>', 'bundle file')
    .action(async (file: string, _o, cmd: Command) => {
      const { importCommand } = await import('./commands/transfer');
      await set(importCommand(file, globals(cmd), io));
    });

  // ---- specs ---------------------------------------------------------------------------------
  program
    .command('presets')
    .description('list the built-in experiment presets, or print one as a spec')
    .argument('[id]', 'preset id: print its spec')
    .option('--tiny', 'the tiny size (seconds to train; for tests and a quick look)')
    .action(async (id: string | undefined, _o, cmd: Command) => {
      const { presetsCommand } = await import('./commands/presets');
      await set(presetsCommand(id, globals(cmd), io));
    });

  program
    .command('validate')
    .description('check an experiment spec without training')
    .argument('<spec.json>')
    .action(async (file: string, _o, cmd: Command) => {
      const { validateCommand } = await import('./commands/presets');
      await set(validateCommand(file, globals(cmd), io));
    });

  program
    .command('estimate')
    .description('cost estimate of a spec: parameters, FLOPs, expected time')
    .argument('<spec.json>')
    .addOption(backendOption())
    .option('--max-group <n>', 'most runs trained together in one stacked model', '16')
    .action(async (file: string, _o, cmd: Command) => {
      const { estimateCommand } = await import('./commands/run');
      await set(estimateCommand(file, globals(cmd), io));
    });

  program
    .command('schema')
    .description('print (or write) the JSON Schema of experiment specs')
    .option('--out <file>', 'write to this file')
    .action(async (_o, cmd: Command) => {
      const { schemaCommand } = await import('./commands/presets');
      await set(schemaCommand(globals(cmd), io));
    });

  // ---- similarity, comparison, studies -------------------------------------------------------
  program
    .command('analyze')
    .description(
      "compute and store an experiment's similarity analyses (reuses those already stored)",
    )
    .argument('<experiment>', 'exp-N or N')
    .option(
      '--measures <list>',
      `comma-separated; default: the spec's. Allowed: ${MEASURE_IDS.join(', ')}`,
    )
    .option(
      '--steps <steps>',
      "'final', 'all', or comma-separated checkpoint steps; default: the spec's",
    )
    .option('--max-tokens <n>', 'most probe tokens used as representation rows (default 2048)')
    .addOption(backendOption())
    .action(async (ref: string, _o, cmd: Command) => {
      const { analyzeCommand } = await import('./commands/analyze');
      await set(analyzeCommand(ref, globals(cmd), io));
    });

  program
    .command('compare')
    .description(
      'compare experiments side by side: loss curves, cross-seed similarity, homogenization, spec diff',
    )
    .argument('[experiments...]', 'experiments (exp-N or N); the first is the reference')
    .option('--out <file>', 'write a standalone HTML report (charts + the JSON of every number)')
    .option('--csv <file>', 'write the summary table as CSV (one row per experiment)')
    .option('--analyze', 'run the analysis step first where analyses are missing')
    .addOption(backendOption('backend for --analyze'))
    .option('--step <n>', "checkpoint step of the profile and output measures ('final' or N)")
    .option('--measure <name>', 'representation measure of the profile (default linear-cka)')
    .option('--reference <i>', 'index of the reference experiment (default 0)')
    .option('--resamples <n>', 'bootstrap resamples (default 2000)')
    .option('--seed <n>', 'seed of the bootstrap and permutation streams (default 0)')
    .option('--save <name>', 'save the comparison in the store under this name')
    .option('--saved <id>', 'reopen a saved comparison')
    .option('--refresh', 'with --saved: recompute from the store instead of the saved numbers')
    .option('--list-saved', 'list saved comparisons')
    .action(async (refs: string[], _o, cmd: Command) => {
      const { compareCommand } = await import('./commands/compare');
      await set(compareCommand(refs, globals(cmd), io));
    });

  program
    .command('measure')
    .description(
      'compute one representation measure between two activation matrices (.npy or .json, rows = examples)',
    )
    .argument(
      '<measure>',
      `one of: ${REPRESENTATION_MEASURE_IDS.map((n) => `${n} (${MEASURE_CATALOGUE[n].label})`).join(', ')}`,
    )
    .argument('<A>', 'activations of model A: .npy (float32/float64, 2-D) or .json (array of rows)')
    .argument('<B>', 'activations of model B, same rows (examples) as A')
    .option('--k <n>', 'mutual-knn: neighbours per example (default 10)')
    .option(
      '--threshold <t>',
      'rbf-cka: bandwidth as a fraction of the median distance (default 0.5); svcca: variance kept (default 0.99)',
    )
    .action(async (measure: string, a: string, b: string, _o, cmd: Command) => {
      const { measureCommand } = await import('./commands/measure');
      await set(measureCommand(measure, a, b, globals(cmd), io));
    });

  program
    .command('study')
    .description(
      'run a built-in homogenization study (train, analyse, report); without a name, list them',
    )
    .argument('[name]', 'study id (`homolab study` lists them)')
    .addOption(
      new Option(
        '--scale <scale>',
        'tiny: minutes, models too small to learn (verdicts inconclusive); medium: runs that learn, ≤ 45 min per study on 2 CPU cores; full: sized for a GPU; test: seconds',
      )
        .choices(STUDY_SCALES)
        .default('tiny'),
    )
    .addOption(backendOption())
    .option('--out <file>', 'also write the standalone HTML report here')
    .action(async (name: string | undefined, _o, cmd: Command) => {
      const { studyCommand } = await import('./commands/study');
      await set(studyCommand(name, globals(cmd), io));
    });

  // ---- serving and benchmarks ----------------------------------------------------------------
  program
    .command('serve')
    .description('serve the lab and its UI over HTTP + WebSocket (127.0.0.1, token-protected)')
    .option(
      '--host <address>',
      'address to bind (anything but loopback prints a warning)',
      '127.0.0.1',
    )
    .option('--port <n>', 'port (default: any free port)', '0')
    .option('--open', 'open the UI in the default browser')
    .addOption(backendOption())
    .option('--workers <n>', workersHelp)
    .action(async (_o, cmd: Command) => {
      const { serveCommand } = await import('./commands/serve');
      await set(serveCommand(globals(cmd) as Opts & ServeOptions, io));
    });

  program
    .command('bench')
    .description('run a benchmark script from bench/ (e.g. `homolab bench train --json`)')
    .argument('[name]', 'benchmark name; omit to list them')
    .argument('[args...]', 'arguments for the benchmark')
    // Everything after the name belongs to the benchmark, `--help` included.
    .allowUnknownOption()
    .helpOption(false)
    .addHelpText(
      'after',
      "\nOptions after the benchmark's name go to the benchmark (`homolab bench train --json`).",
    )
    .action(async (name: string | undefined, args: string[], _o, cmd: Command) => {
      if (name === '--help' || name === '-h') {
        cmd.outputHelp();
        return set(0);
      }
      const { benchCommand } = await import('./commands/bench');
      await set(benchCommand(name, args, io));
    });

  return program;
}
