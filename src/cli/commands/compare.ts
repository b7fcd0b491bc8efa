/**
 * `homolab compare <experiment> <experiment> … [--out report.html] [--csv FILE] [--json]`:
 * side-by-side comparison of whole experiments — loss curves of seed groups, cross-seed
 * similarity per layer, output homogenization, trajectories, the spec diff and a summary table
 * with differences from the first experiment. `--analyze` first runs the analysis step (the
 * lab's analyzeExperiment, which reuses what is stored); `--save NAME` keeps the comparison in
 * the store; `--saved ID` reopens one (`--refresh` recomputes it); `--list-saved` lists them.
 * Everything goes through the API's comparison operations; the report files are written with
 * the same renderer as the app's exportComparison.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OpInput } from '../../api/contract';
import { comparisonFile } from '../../api/handlers/compare';
import type { Comparison, Interval, SavedComparison } from '../../api/types';
import { PAIRWISE_OUTPUT_MEASURE_IDS } from '../../core/similarity/catalogue';
import { SUMMARY_MEASURES } from '../../experiments/compare/types';
import { type CliIO } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { fmtCount, table } from '../format';
import { expId, parseRef } from '../ids';
import { type CliLab, type LabCommandOptions, withLab } from '../lab';
import { jsonLine } from '../progress';
import { followAnalysis } from './analyze';

export interface CompareCommandOptions extends LabCommandOptions {
  out?: string;
  csv?: string;
  analyze?: boolean;
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

type CompareSettings = NonNullable<OpInput<'compareExperiments'>['options']>;

/** `--analyze`: the analyses a comparison reads, for every checkpoint step of each experiment. */
async function analyzeFirst(
  lab: CliLab,
  ids: number[],
  settings: CompareSettings,
  opts: CompareCommandOptions,
  io: CliIO,
): Promise<void> {
  const measures = [
    (settings.similarityMeasure ?? 'linear-cka') as 'linear-cka',
    ...PAIRWISE_OUTPUT_MEASURE_IDS,
    'outcome-homogenization' as const,
  ];
  for (const experimentId of ids)
    await followAnalysis(lab, { experimentId, measures, steps: 'all' }, (fraction, message) => {
      if (opts.json)
        io.stdout.write(jsonLine({ type: 'analysis-progress', experimentId, fraction, message }));
      else io.stderr.write(`analyze ${expId(experimentId)}: ${message}\n`);
    });
}

export async function compareCommand(
  refs: string[],
  opts: CompareCommandOptions,
  io: CliIO,
): Promise<ExitCode> {
  return withLab(
    opts,
    io,
    async (lab) => {
      if (opts.listSaved) {
        const list = await lab.call('listComparisons', {});
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
        const opened = await lab.call('openComparison', {
          id: int(opts.saved, '--saved', 1)!,
          refresh: opts.refresh === true,
        });
        ({ comparison, saved } = opened);
        notes.push(...opened.notes);
      } else {
        if (!refs.length)
          throw new CliError('name at least one experiment (exp-N), or --saved ID', EXIT.USAGE);
        const ids = experimentIds(refs);
        const step =
          opts.step === undefined || opts.step === 'final' ? 'final' : int(opts.step, '--step');
        const reference = int(opts.reference, '--reference');
        if (reference !== undefined && reference >= ids.length)
          throw new CliError(
            `--reference must index one of the ${ids.length} experiments, got ${reference}`,
            EXIT.USAGE,
          );
        const settings: CompareSettings = {
          step,
          similarityMeasure: opts.measure,
          reference,
          resamples: int(opts.resamples, '--resamples', 1),
          seed: int(opts.seed, '--seed'),
        };
        for (const id of ids) await lab.call('getExperiment', { id }); // not found before any work
        if (opts.analyze) await analyzeFirst(lab, ids, settings, opts, io);
        if (opts.save) {
          saved = await lab.call('saveComparison', {
            name: opts.save,
            experimentIds: ids,
            options: settings,
          });
          comparison = (await lab.call('openComparison', { id: saved.id })).comparison;
        } else
          comparison = await lab.call('compareExperiments', {
            experimentIds: ids,
            options: settings,
          });
      }
      const title = saved?.name ?? comparison.experiments.map((e) => e.name).join(' vs ');
      const files: Record<string, string> = {};
      for (const [format, target] of [
        ['html', opts.out],
        ['csv', opts.csv],
      ] as const) {
        if (!target) continue;
        files[format] = resolve(target);
        writeFileSync(files[format], comparisonFile(comparison, format, title).data);
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
