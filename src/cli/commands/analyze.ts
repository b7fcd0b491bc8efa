/**
 * `homolab analyze <experiment> [--measures …] [--steps …] [--backend …] [--db FILE] [--json]`:
 * computes an experiment's similarity analyses (src/experiments/analysis) and stores them;
 * analyses already stored are reused. Progress as lines (JSON lines with --json), then a
 * summary (`{"type": "analysis-result", …}`).
 */
import { Option, type Command } from 'commander';
import type { AnalysisProgress } from '../../experiments/analysis';
import { MEASURES, type Measure } from '../../experiments/spec/spec';
import { BACKEND_CHOICES } from '../../experiments/execution/worker/protocol';
import { type CliIO, type GlobalOptions, withStore } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { expId, parseRef } from '../ids';
import { jsonLine } from '../progress';

export interface AnalyzeCommandOptions extends GlobalOptions {
  measures?: string;
  steps?: string;
  backend?: string;
  maxTokens?: string;
}

/** `a,b,c` → measure names, each checked. */
export function parseMeasures(text: string | undefined): Measure[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw new CliError('--measures is empty', EXIT.USAGE);
  for (const n of names)
    if (!(MEASURES as readonly string[]).includes(n))
      throw new CliError(`unknown measure '${n}'; allowed: ${MEASURES.join(', ')}`, EXIT.USAGE);
  return names as Measure[];
}

/** `final` | `all` | `100,200` → steps. */
export function parseSteps(text: string | undefined): 'final' | 'all' | number[] | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === 'final' || t === 'all') return t;
  const steps = t.split(',').map((s) => Number(s.trim()));
  if (!steps.length || steps.some((s) => !Number.isInteger(s) || s < 0))
    throw new CliError(
      `--steps must be 'final', 'all' or comma-separated checkpoint steps, got '${text}'`,
      EXIT.USAGE,
    );
  return steps;
}

export async function analyzeCommand(
  ref: string,
  opts: AnalyzeCommandOptions,
  io: CliIO,
): Promise<ExitCode> {
  const target = parseRef(ref, 'experiment');
  if (target.kind !== 'experiment')
    throw new CliError(`'${ref}' is a run; analyze takes an experiment (exp-N)`, EXIT.USAGE);
  const measures = parseMeasures(opts.measures);
  const steps = parseSteps(opts.steps);
  const maxTokens = opts.maxTokens === undefined ? undefined : Number(opts.maxTokens);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 4))
    throw new CliError(`--max-tokens must be an integer ≥ 4, got '${opts.maxTokens}'`, EXIT.USAGE);
  const backend = (opts.backend ?? 'auto') as (typeof BACKEND_CHOICES)[number];
  return withStore(
    opts,
    async (store) => {
      store.experiments.require(target.id);
      // Loaded on use: tfjs and the analysis code would slow every other command's start.
      const { initBackend } = await import('../../core/engine');
      const { analyzeExperiment } = await import('../../experiments/analysis');
      const info = await initBackend(backend);
      const say = (line: unknown, human: string) =>
        io.stdout.write(opts.json ? jsonLine(line) : human + '\n');
      say(
        {
          type: 'analysis-start',
          experimentId: target.id,
          backend: info.backend,
          device: info.device,
        },
        `analysing ${expId(target.id)} on ${info.backend} (${info.device})`,
      );
      const onProgress = (p: AnalysisProgress) =>
        say(p, `[${String(Math.round(p.fraction * 100)).padStart(3)}%] ${p.message}`);
      const r = await analyzeExperiment(store, target.id, {
        measures,
        steps,
        maxTokens,
        onProgress,
      });
      say(
        { type: 'analysis-result', ...r },
        [
          `${r.created} analyses stored, ${r.reused} reused, ${r.samplesCreated} samples, ` +
            `steps [${r.steps.join(', ')}], ${r.runIds.length} runs, ${(r.ms / 1000).toFixed(1)} s ` +
            `(probe ${r.probe.hash}: ${r.probe.repTokens} tokens)`,
          ...r.notes.map((n) => `note: ${n}`),
        ].join('\n'),
      );
      return EXIT.OK;
    },
    true,
  );
}

/** Adds `analyze` to `program` (which defines the global --db/--json options). */
export function registerAnalyzeCommand(
  program: Command,
  io: CliIO,
  result: { code: ExitCode },
): Command {
  return program
    .command('analyze')
    .description(
      "compute and store an experiment's similarity analyses (reuses those already stored)",
    )
    .argument('<experiment>', 'exp-N or N')
    .option(
      '--measures <list>',
      `comma-separated; default: the spec's. Allowed: ${MEASURES.join(', ')}`,
    )
    .option(
      '--steps <steps>',
      "'final', 'all', or comma-separated checkpoint steps; default: the spec's",
    )
    .option('--max-tokens <n>', 'most probe tokens used as representation rows (default 2048)')
    .addOption(
      new Option('--backend <name>', 'compute backend').choices(BACKEND_CHOICES).default('auto'),
    )
    .action(async (ref: string, _o, cmd: Command) => {
      result.code = await analyzeCommand(ref, cmd.optsWithGlobals() as AnalyzeCommandOptions, io);
    });
}
