/**
 * `homolab analyze <experiment> [--measures …] [--steps …] [--max-tokens N] [--backend …]`:
 * computes an experiment's similarity analyses through the API's analyzeExperiment (the lab's
 * analysis queue, as in the app) and follows its progress events; analyses already stored are
 * reused. Progress as lines (JSON lines with --json), then a summary
 * (`{"type": "analysis-result", …}`).
 */
import type { AnalysisProgressEvent, OpInput } from '../../api/contract';
import type { AnalysisOutcome } from '../../api/types';
import { MEASURE_IDS, type MeasureId } from '../../core/similarity/catalogue';
import { type CliIO } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { expId, parseRef } from '../ids';
import { type CliLab, type LabCommandOptions, withLab } from '../lab';
import { jsonLine } from '../progress';

export interface AnalyzeCommandOptions extends LabCommandOptions {
  measures?: string;
  steps?: string;
  maxTokens?: string;
}

/** `a,b,c` → measure ids, each checked. */
export function parseMeasures(text: string | undefined): MeasureId[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw new CliError('--measures is empty', EXIT.USAGE);
  for (const n of names)
    if (!(MEASURE_IDS as readonly string[]).includes(n))
      throw new CliError(`unknown measure '${n}'; allowed: ${MEASURE_IDS.join(', ')}`, EXIT.USAGE);
  return names as MeasureId[];
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

/**
 * Starts an analysis through the API and follows its progress events to the end; resolves to
 * what it stored, or throws with the analysis's error.
 */
export async function followAnalysis(
  lab: CliLab,
  request: OpInput<'analyzeExperiment'>,
  onProgress: (fraction: number, message: string) => void,
): Promise<AnalysisOutcome> {
  const { experimentId } = request;
  let off = () => undefined as unknown;
  const last = new Promise<AnalysisProgressEvent>((resolve) => {
    off = lab.subscribe((e) => {
      if (e.type !== 'analysis.progress' || e.experimentId !== experimentId) return;
      if (e.done >= e.total) resolve(e);
      else onProgress(e.done / e.total, e.message);
    });
  });
  try {
    await lab.call('analyzeExperiment', request);
    const end = await last;
    if (end.error || !end.result)
      throw new CliError(
        `the analysis of ${expId(experimentId)} failed: ${end.error ?? end.message}`,
        EXIT.ERROR,
      );
    return end.result;
  } finally {
    off();
  }
}

export async function analyzeCommand(
  ref: string,
  opts: AnalyzeCommandOptions,
  io: CliIO,
): Promise<ExitCode> {
  const target = parseRef(ref, 'experiment');
  if (target.kind !== 'experiment')
    throw new CliError(`'${ref}' is a run; analyze takes an experiment (exp-N)`, EXIT.USAGE);
  const experimentId = target.id;
  const measures = parseMeasures(opts.measures);
  const steps = parseSteps(opts.steps);
  const maxTokens = opts.maxTokens === undefined ? undefined : Number(opts.maxTokens);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 4))
    throw new CliError(`--max-tokens must be an integer ≥ 4, got '${opts.maxTokens}'`, EXIT.USAGE);
  const say = (line: unknown, human: string) =>
    io.stdout.write(opts.json ? jsonLine(line) : human + '\n');
  return withLab(
    opts,
    io,
    async (lab) => {
      say(
        { type: 'analysis-start', experimentId, backend: opts.backend ?? 'auto' },
        `analysing ${expId(experimentId)}`,
      );
      const r = await followAnalysis(lab, { experimentId, measures, steps, maxTokens }, (f, m) =>
        say(
          { type: 'analysis-progress', experimentId, fraction: f, message: m },
          `[${String(Math.round(f * 100)).padStart(3)}%] ${m}`,
        ),
      );
      say(
        { type: 'analysis-result', experimentId, ...r },
        [
          `${r.created} analyses stored, ${r.reused} reused, ${r.samplesCreated} samples, ` +
            `steps [${r.steps.join(', ')}], ${r.runIds.length} runs, ${(r.ms / 1000).toFixed(1)} s ` +
            `on ${r.backend} (${r.device}); probe ${r.probe.hash}: ${r.probe.repTokens} tokens`,
          ...r.notes.map((n) => `note: ${n}`),
        ].join('\n'),
      );
      return EXIT.OK;
    },
    true,
  );
}
