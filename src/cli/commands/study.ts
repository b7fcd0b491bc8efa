/**
 * `homolab study [name] [--scale test|tiny|medium|full] [--backend B] [--out report.html]
 * [--json]`: runs a built-in homogenization study end to end (train, analyse, report). The
 * report is stored in the store (analysis kind `study-report`) and, with `--out`, written as a
 * standalone HTML file. Without a name, lists the studies.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { getStudy, runStudy, STUDIES, STUDY_SCALES } from '../../experiments/studies';
import type { StudyEvent, StudyScale } from '../../experiments/studies';
import { nodeWorkerFactory } from '../../experiments/execution/worker/node-host';
import { BACKEND_CHOICES } from '../../experiments/execution/worker/protocol';
import { type CliIO, emit, type GlobalOptions, withStore } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { expId, runId } from '../ids';
import { jsonLine } from '../progress';
import { parseBackend } from './run';

export interface StudyOptions extends GlobalOptions {
  scale?: string;
  backend?: string;
  out?: string;
}

/** Human progress: study phases, and per experiment a line every few seconds while training. */
function humanProgress(io: CliIO): (e: StudyEvent) => void {
  let last = 0;
  return (e) => {
    if (e.type === 'study-phase') io.stderr.write(`[${e.study}] ${e.message}\n`);
    else if (e.type === 'runner') {
      const ev = e.event;
      if (ev.type === 'experiment-progress' && Date.now() - last > 3000) {
        last = Date.now();
        const eta = ev.etaSec === null ? '' : `, ETA ${Math.round(ev.etaSec)} s`;
        io.stderr.write(
          `  ${expId(ev.experimentId)}: ${ev.stepsDone}/${ev.stepsTotal} steps, ${ev.finishedRuns}/${ev.runCount} runs done, ${Math.round(ev.tokensPerSec)} tokens/s${eta}\n`,
        );
      } else if (ev.type === 'backend')
        io.stderr.write(`  backend: ${ev.backend} (${ev.device})\n`);
      else if (ev.type === 'fatal') io.stderr.write(`  ${ev.message} — ${ev.advice}\n`);
    } else if (e.type === 'analysis' && e.progress.phase === 'done' && e.progress.step !== null)
      io.stderr.write(`  analysis: ${e.progress.message}\n`);
  };
}

export async function studyCommand(
  name: string | undefined,
  opts: StudyOptions,
  io: CliIO,
): Promise<ExitCode> {
  if (!name) {
    emit(
      io,
      opts,
      {
        type: 'result',
        studies: STUDIES.map((s) => ({
          id: s.id,
          name: s.name,
          question: s.question,
          expected: s.expected,
          expectedMinutes: Object.fromEntries(STUDY_SCALES.map((sc) => [sc, s.expectedTime(sc)])),
        })),
      },
      () =>
        STUDIES.map((s) => `${s.id.padEnd(24)} ${s.name}\n${' '.repeat(25)}${s.question}`).join(
          '\n',
        ),
    );
    return EXIT.OK;
  }
  let study;
  try {
    study = getStudy(name);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.NOT_FOUND);
  }
  const scale = (opts.scale ?? 'tiny') as StudyScale;
  if (!STUDY_SCALES.includes(scale))
    throw new CliError(
      `unknown scale '${opts.scale}'; choose one of ${STUDY_SCALES.join(', ')}`,
      EXIT.USAGE,
    );
  const backend = parseBackend(opts.backend);
  return withStore(opts, async (store) => {
    const onEvent = opts.json ? (e: StudyEvent) => io.stdout.write(jsonLine(e)) : humanProgress(io);
    if (!opts.json) {
      const t = study.expectedTime(scale);
      io.stderr.write(
        `${study.name} (${scale}): ${study.describe(scale)}\nexpected time: about ${t.cpu2} min on 2 CPU cores, ${t.laptop8} min on an 8-core laptop, ${t.gpu} min on a GPU (${t.basis})\n`,
      );
    }
    let r;
    try {
      r = await runStudy(name, {
        store,
        dbPath: store.path,
        scale,
        backend,
        workerFactory: nodeWorkerFactory(),
        onEvent,
      });
    } catch (e) {
      const msg = (e as Error).message;
      throw new CliError(
        `study ${name} failed: ${msg}`,
        /training of exp-/.test(msg) ? EXIT.RUNS_INCOMPLETE : EXIT.ERROR,
      );
    }
    const out = opts.out ? resolve(opts.out) : null;
    if (out) writeFileSync(out, r.html);
    emit(
      io,
      opts,
      {
        type: 'result',
        study: r.study,
        scale: r.scale,
        experimentIds: r.experimentIds,
        runIds: r.runIds,
        analysisId: r.analysis.id,
        verdicts: r.verdicts,
        gates: r.gates,
        headline: r.headline,
        seconds: r.ms / 1000,
        out,
      },
      () =>
        [
          `${study.name} — ${scale}, ${(r.ms / 1000).toFixed(0)} s; experiments ${r.experimentIds.map(expId).join(', ')}; report stored as analysis ${r.analysis.id}${out ? `, written to ${out}` : ''}`,
          ...r.verdicts.map((v) => `  [${v.status}] ${v.expectation}\n      ${v.evidence}`),
          ...r.gates.filter((g) => !g.passed).map((g) => `  gate failed: ${g.name} — ${g.detail}`),
          `  runs: ${r.runIds.map(runId).join(' ')}`,
        ].join('\n'),
    );
    return EXIT.OK;
  });
}

/** Registers `homolab study` on the program. */
export function registerStudyCommand(
  program: Command,
  io: CliIO,
  result: { code: ExitCode },
): void {
  program
    .command('study')
    .description(
      'run a built-in homogenization study (train, analyse, report); without a name, list them',
    )
    .argument('[name]', `study: ${STUDIES.map((s) => s.id).join(', ')}`)
    .addOption(
      new Option(
        '--scale <scale>',
        'tiny: minutes, models too small to learn (verdicts inconclusive); medium: runs that learn, ≤ 45 min per study on 2 CPU cores; full: sized for a GPU; test: seconds',
      )
        .choices(STUDY_SCALES)
        .default('tiny'),
    )
    .addOption(
      new Option('--backend <name>', 'compute backend').choices(BACKEND_CHOICES).default('auto'),
    )
    .option('--out <file>', 'also write the standalone HTML report here')
    .action(async (name: string | undefined, _o, cmd: Command) => {
      result.code = await studyCommand(name, cmd.optsWithGlobals() as StudyOptions, io);
    });
}
