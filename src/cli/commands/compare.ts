/**
 * `homolab compare <experiment> <experiment> … [--out report.html] [--csv FILE] [--json]`:
 * side-by-side comparison of whole experiments (issue 8) — loss curves of seed groups, cross-seed
 * similarity per layer, output homogenization, trajectories, the spec diff and a summary table
 * with differences from the first experiment. `--analyze` first runs the analysis step where the
 * analyses a comparison needs are missing; `--save NAME` keeps the comparison in the store;
 * `--saved ID` reopens one (`--refresh` recomputes it); `--list-saved` lists them.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  compareExperiments,
  comparisonToCsv,
  comparisonToHtml,
  listSavedComparisons,
  openSavedComparison,
  saveComparison,
  SUMMARY_MEASURES,
  type Comparison,
  type CompareOptions,
  type Interval,
  type SavedComparison,
} from '../../experiments/compare';
import type { BackendChoice } from '../../core/engine/types';
import { BACKEND_CHOICES } from '../../experiments/execution/worker/protocol';
import { type CliIO, withStore, type GlobalOptions } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { fmtCount, table } from '../format';
import { expId } from '../ids';
import { parseRef } from '../ids';
import { jsonLine } from '../progress';

export interface CompareCommandOptions extends GlobalOptions {
  out?: string;
  csv?: string;
  analyze?: boolean;
  backend?: BackendChoice;
  step?: string;
  measure?: string;
  reference?: string;
  resamples?: string;
  seed?: string;
  save?: string;
  saved?: string;
  refresh?: boolean;
  listSaved?: boolean;
}

function int(text: string | undefined, what: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`${what} must be an integer ≥ ${min}, got '${text}'`, EXIT.USAGE);
  return n;
}

function experimentIds(refs: readonly string[]): number[] {
  return refs.map((r) => {
    const ref = parseRef(r, 'experiment');
    if (ref.kind !== 'experiment')
      throw new CliError(`'${r}' is a run; compare takes experiments (exp-N)`, EXIT.USAGE);
    return ref.id;
  });
}

const f = (v: number | null | undefined, d = 3) =>
  v === null || v === undefined ? '—' : Number.isFinite(v) ? v.toFixed(d) : String(v);

/** The human summary: one line per experiment and measure, the spec diff, what is missing. */
export function formatComparison(c: Comparison): string {
  const ref = c.settings.reference;
  const head = table(
    ['EXPERIMENT', 'RUNS', 'SEEDS', 'FINAL LOSS', 'EVAL LOSS', 'TOKENS', 'BACKEND'],
    c.summary.map((r, i) => [
      `${expId(r.experimentId)} ${r.name}${i === ref ? ' (ref)' : ''}`,
      `${r.completed}/${r.runs}`,
      String(r.seeds),
      f(r.finalLoss.mean, 4),
      f(r.finalEvalLoss.mean, 4),
      r.tokens === null ? '—' : fmtCount(r.tokens),
      r.backends.join(',') || '—',
    ]),
  );
  const measures = table(
    [
      'MEASURE',
      'EXPERIMENT',
      'VALUE [INTERVAL]',
      `Δ VS ${expId(c.experimentIds[ref])} [INTERVAL]`,
      'P',
    ],
    SUMMARY_MEASURES.flatMap((m) =>
      c.summary.map((r) => {
        const x = r.measures[m];
        const iv = (v: number | null, i: Interval | null | undefined) =>
          v === null
            ? '—'
            : `${f(v)}${i?.lower != null && i.upper != null ? ` [${f(i.lower)}, ${f(i.upper)}]` : ''}`;
        return [
          m,
          expId(r.experimentId),
          iv(x.value, x.interval),
          x.diff ? iv(x.diff.value, x.diff.interval) : '',
          x.diff?.pValue === null || x.diff?.pValue === undefined ? '' : f(x.diff.pValue),
        ];
      }),
    ),
  );
  const diff = c.specDiff.length
    ? table(
        ['FIELD', ...c.experimentIds.map(expId)],
        c.specDiff.map((d) => [
          d.path,
          ...d.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
        ]),
      )
    : '(specs do not differ)';
  const missing = c.experiments.flatMap((e) =>
    e.missing.map((m) => `  ${expId(e.experimentId)} ${m.field}: ${m.reason}`),
  );
  return [
    head,
    '',
    measures,
    '',
    'What differs:',
    diff,
    ...(missing.length ? ['', 'Not available:', ...missing] : []),
  ].join('\n');
}

function formatSaved(list: SavedComparison[]): string {
  if (!list.length) return 'no saved comparisons';
  return table(
    ['ID', 'NAME', 'EXPERIMENTS', 'SAVED'],
    list.map((s) => [
      String(s.id),
      s.name,
      s.experimentIds.map(expId).join(' '),
      new Date(s.createdAt).toISOString(),
    ]),
  );
}

export async function compareCommand(
  refs: string[],
  opts: CompareCommandOptions,
  io: CliIO,
): Promise<ExitCode> {
  return withStore(
    opts,
    async (store) => {
      if (opts.listSaved) {
        const list = listSavedComparisons(store);
        if (opts.json) io.stdout.write(jsonLine({ type: 'saved-comparisons', comparisons: list }));
        else io.stdout.write(formatSaved(list) + '\n');
        return EXIT.OK;
      }
      let comparison: Comparison;
      let saved: SavedComparison | undefined;
      const notes: string[] = [];
      if (opts.saved !== undefined) {
        if (refs.length)
          throw new CliError('give either experiments or --saved ID, not both', EXIT.USAGE);
        const opened = await openSavedComparison(store, int(opts.saved, '--saved', 1)!, {
          refresh: opts.refresh,
        });
        comparison = opened.comparison;
        saved = opened.saved;
        notes.push(...opened.notes);
      } else {
        if (!refs.length)
          throw new CliError('name at least one experiment (exp-N), or --saved ID', EXIT.USAGE);
        const step =
          opts.step === undefined || opts.step === 'final' ? 'final' : int(opts.step, '--step');
        const options: CompareOptions = {
          step,
          similarityMeasure: opts.measure,
          reference: int(opts.reference, '--reference'),
          resamples: int(opts.resamples, '--resamples', 1),
          seed: int(opts.seed, '--seed'),
          analyze: opts.analyze
            ? {
                backend: opts.backend,
                onProgress: (p) => {
                  if (opts.json) io.stdout.write(jsonLine(p));
                  else io.stderr.write(`analyze ${expId(p.experimentId)}: ${p.message}\n`);
                },
              }
            : false,
        };
        try {
          comparison = await compareExperiments(store, experimentIds(refs), options);
        } catch (e) {
          if (e instanceof RangeError) throw new CliError(e.message, EXIT.USAGE);
          throw e;
        }
        if (opts.save) {
          const { analyze: _a, ...keep } = options;
          saved = saveComparison(store, opts.save, comparison, { options: keep });
        }
      }
      const files: Record<string, string> = {};
      if (opts.out) {
        files.html = resolve(opts.out);
        writeFileSync(files.html, comparisonToHtml(comparison));
      }
      if (opts.csv) {
        files.csv = resolve(opts.csv);
        writeFileSync(files.csv, comparisonToCsv(comparison));
      }
      if (opts.json)
        io.stdout.write(
          jsonLine({ type: 'comparison', comparison, files, saved: saved ?? null, notes }),
        );
      else {
        io.stdout.write(formatComparison(comparison) + '\n');
        for (const n of notes) io.stdout.write(`note: ${n}\n`);
        if (saved) io.stdout.write(`saved as comparison ${saved.id} '${saved.name}'\n`);
        for (const [k, p] of Object.entries(files))
          io.stdout.write(`wrote ${k.toUpperCase()} ${p}\n`);
      }
      return EXIT.OK;
    },
    true,
  );
}

/** Registers `homolab compare` on the program. */
export function registerCompareCommand(
  program: Command,
  io: CliIO,
  result: { code: ExitCode },
): Command {
  return program
    .command('compare')
    .description(
      'compare experiments side by side: loss curves, cross-seed similarity, homogenization, spec diff',
    )
    .argument('[experiments...]', 'experiments (exp-N or N); the first is the reference')
    .option('--out <file>', 'write a standalone HTML report (charts + the JSON of every number)')
    .option('--csv <file>', 'write the summary table as CSV (one row per experiment)')
    .option('--analyze', 'run the analysis step first where analyses are missing')
    .addOption(
      new Option('--backend <name>', 'backend for --analyze')
        .choices(BACKEND_CHOICES)
        .default('auto'),
    )
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
      const opts = cmd.optsWithGlobals() as CompareCommandOptions;
      result.code = await compareCommand(refs, opts, io);
    });
}
