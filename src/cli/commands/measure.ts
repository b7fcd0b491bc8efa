/**
 * `homolab measure <measure> <A> <B> [--k N] [--threshold T] [--json]`: one representation
 * measure on two activation matrices from the user's own models (PyTorch, JAX, …), given as
 * `.npy` (float32 or float64, 2-D, rows = examples) or `.json` (an array of equally long rows of
 * numbers). Prints `{"measure": …, "value": …, "warnings": […]}` with --json, else one line.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { readNpyMatrix } from '../../core/npy';
import type { Matrix } from '../../core/similarity/matrix';
import { fromRows } from '../../core/similarity/matrix';
import {
  computeMeasure,
  isMeasureName,
  MEASURE_NAMES,
  type MeasureOptions,
} from '../../core/similarity/registry';
import { type CliIO, emit, type GlobalOptions } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';

/** Reads a `.npy` or `.json` activation matrix; errors name the file and what is wrong. */
export function readActivations(file: string): Matrix {
  let bytes: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      code === 'ENOENT' ? EXIT.NOT_FOUND : EXIT.INVALID_INPUT,
    );
  }
  const ext = extname(file).toLowerCase();
  const bad = (msg: string) => new CliError(`${file}: ${msg}`, EXIT.INVALID_INPUT);
  let m: Matrix;
  if (ext === '.npy') {
    try {
      m = readNpyMatrix(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      throw bad((e as Error).message);
    }
  } else if (ext === '.json') {
    let rows: unknown;
    try {
      rows = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw bad(`not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r)))
      throw bad('expected a non-empty JSON array of rows (arrays of numbers), rows = examples');
    (rows as unknown[][]).forEach((r, i) => {
      const j = r.findIndex((v) => typeof v !== 'number');
      if (j >= 0) throw bad(`row ${i}, column ${j} is not a number`);
    });
    try {
      m = fromRows(rows as number[][]);
    } catch (e) {
      throw bad((e as Error).message);
    }
  } else {
    throw bad(`unsupported file type '${ext || '(none)'}'; give a .npy or .json file`);
  }
  if (m.rows < 1 || m.cols < 1) throw bad(`empty matrix (${m.rows}×${m.cols})`);
  for (let i = 0; i < m.data.length; i++)
    if (!Number.isFinite(m.data[i]))
      throw bad(
        `non-finite value at row ${Math.floor(i / m.cols)}, column ${i % m.cols} (NaN or ±Infinity)`,
      );
  return m;
}

function parseOption(text: string | undefined, name: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v <= 0)
    throw new CliError(
      `--${name} must be a positive ${integer ? 'integer' : 'number'}, got '${text}'`,
      EXIT.USAGE,
    );
  return v;
}

export interface MeasureCommandOptions extends GlobalOptions {
  k?: string;
  threshold?: string;
}

/** The command's action: returns the exit code, throws CliError for bad input. */
export async function measureCommand(
  measure: string,
  fileA: string,
  fileB: string,
  opts: MeasureCommandOptions,
  io: CliIO,
): Promise<ExitCode> {
  if (!isMeasureName(measure))
    throw new CliError(
      `unknown measure '${measure}'; allowed: ${MEASURE_NAMES.join(', ')}`,
      EXIT.USAGE,
    );
  const options: MeasureOptions = {
    k: parseOption(opts.k, 'k', true),
    threshold: parseOption(opts.threshold, 'threshold', false),
  };
  const a = readActivations(fileA);
  const b = readActivations(fileB);
  if (a.rows !== b.rows)
    throw new CliError(
      `shape mismatch: ${fileA} is ${a.rows}×${a.cols} and ${fileB} is ${b.rows}×${b.cols}; ` +
        'rows are examples and must be the same examples in both (columns may differ)',
      EXIT.INVALID_INPUT,
    );
  let result;
  try {
    result = computeMeasure(measure, a, b, options);
  } catch (e) {
    throw new CliError(`${measure}: ${(e as Error).message}`, EXIT.INVALID_INPUT);
  }
  const { value, warnings } = result;
  emit(io, opts, { measure, value, warnings, rows: a.rows, colsA: a.cols, colsB: b.cols }, () =>
    [`${measure} = ${value}`, ...warnings.map((w) => `warning: ${w}`)].join('\n'),
  );
  return EXIT.OK;
}
