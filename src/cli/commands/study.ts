/**
 * `homolab study [name] [--scale test|tiny|medium|full] [--backend B] [--out report.html]
 * [--json]`: runs a built-in homogenization study end to end (train, analyse, report) through
 * the API's runStudy, following the lab's events; the report is stored in the store (analysis
 * kind `study-report`) and, with `--out`, written as a standalone HTML file (getStudyReport).
 * Without a name, lists the studies (no store needed).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LabEvent, StudyProgressEvent } from '../../api/contract';
import { STUDIES } from '../../experiments/studies/registry';
import { STUDY_SCALES, type StudyScale } from '../../experiments/studies/types';
import { type CliIO, emit } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { expId, runId } from '../ids';
import { type LabCommandOptions, withLab } from '../lab';
import { jsonLine } from '../progress';

export interface StudyOptions extends LabCommandOptions {
  scale?: string;
  out?: string;
}

/** The lab's events as progress: phases, analysis, and a training line every few seconds. */
function progress(io: CliIO, json: boolean, study: string): (e: LabEvent) => void {
  let last = 0;
  if (json)
    return (e) => {
      if (e.type === 'study.progress' && e.study === study && !e.done)
        io.stdout.write(
          jsonLine({ type: 'study-phase', study, phase: e.phase, message: e.message }),
        );
      else if (e.type === 'analysis.progress')
        io.stdout.write(
          jsonLine({
            type: 'analysis-progress',
            experimentId: e.experimentId,
            fraction: e.done / e.total,
            message: e.message,
          }),
        );
      else if (e.type === 'run.progress' || e.type === 'run.status') io.stdout.write(jsonLine(e));
    };
  return (e) => {
    if (e.type === 'study.progress' && e.study === study && !e.done)
      io.stderr.write(`[${study}] ${e.message}\n`);
    else if (e.type === 'run.progress' && Date.now() - last > 3000) {
      last = Date.now();
      const eta = e.etaSec === null ? '' : `, ETA ${Math.round(e.etaSec)} s`;
      io.stderr.write(
        `  ${expId(e.experimentId)} ${runId(e.runId)}: step ${e.step}/${e.totalSteps}, ` +
          `${Math.round(e.tokensPerSec)} tokens/s${eta}\n`,
      );
    } else if (e.type === 'analysis.progress' && e.done >= e.total)
      io.stderr.write(`  analysis: ${e.error ?? e.message}\n`);
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
        STUDIES.map((s) => {
          const pad = ' '.repeat(25);
          const m = s.expectedTime('medium');
          return `${s.id.padEnd(24)} ${s.name}\n${pad}${s.question}\n${pad}medium: about ${m.cpu2} min on 2 CPU cores, ${m.laptop8} min on an 8-core laptop, ${m.gpu} min on a GPU`;
        }).join('\n'),
    );
    return EXIT.OK;
  }
  const study = STUDIES.find((s) => s.id === name);
  if (!study)
    throw new CliError(
      `unknown study '${name}'; known: ${STUDIES.map((s) => s.id).join(', ')}`,
      EXIT.NOT_FOUND,
    );
  const scale = (opts.scale ?? 'tiny') as StudyScale;
  if (!STUDY_SCALES.includes(scale))
    throw new CliError(
      `unknown scale '${opts.scale}'; choose one of ${STUDY_SCALES.join(', ')}`,
      EXIT.USAGE,
    );
  return withLab(opts, io, async (lab) => {
    if (!opts.json) {
      const t = study.expectedTime(scale);
      io.stderr.write(
        `${study.name} (${scale}): ${study.describe(scale)}\nexpected time: about ${t.cpu2} min on 2 CPU cores, ${t.laptop8} min on an 8-core laptop, ${t.gpu} min on a GPU (${t.basis})\n`,
      );
    }
    const started = Date.now();
    const onEvent = progress(io, !!opts.json, name);
    let off = () => undefined as unknown;
    const ended = new Promise<StudyProgressEvent>((resolve) => {
      off = lab.subscribe((e) => {
        if (e.type === 'study.progress' && e.study === name && e.done) resolve(e);
        else onEvent(e);
      });
    });
    let end: StudyProgressEvent;
    try {
      await lab.call('runStudy', { study: name, scale });
      end = await ended;
    } finally {
      off();
    }
    if (end.error || end.reportId === null)
      throw new CliError(
        `study ${name} failed: ${end.error ?? end.message}`,
        /training of exp-/.test(end.error ?? '') ? EXIT.RUNS_INCOMPLETE : EXIT.ERROR,
      );
    const report = await lab.call('getStudyReport', { id: end.reportId });
    const runs = await lab.call('listRuns', { experimentIds: report.experimentIds });
    const out = opts.out ? resolve(opts.out) : null;
    if (out) writeFileSync(out, report.file.data);
    const seconds = (Date.now() - started) / 1000;
    emit(
      io,
      opts,
      {
        type: 'result',
        study: name,
        scale,
        experimentIds: report.experimentIds,
        runIds: runs.map((r) => r.id),
        analysisId: report.id,
        verdicts: report.verdicts,
        gates: report.gates,
        seconds,
        out,
      },
      () =>
        [
          `${study.name} — ${scale}, ${seconds.toFixed(0)} s; experiments ${report.experimentIds.map(expId).join(', ')}; report stored as analysis ${report.id}${out ? `, written to ${out}` : ''}`,
          ...report.verdicts.map((v) => `  [${v.status}] ${v.expectation}\n      ${v.evidence}`),
          ...report.gates
            .filter((g) => !g.passed)
            .map((g) => `  gate failed: ${g.name} — ${g.detail}`),
          `  runs: ${runs.map((r) => runId(r.id)).join(' ')}`,
        ].join('\n'),
    );
    return EXIT.OK;
  });
}
