/** Helpers for CLI tests: run `homolab` as a real child process, parse its output. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getPreset } from '../../src/experiments/spec/presets';
import type { ExperimentSpecInput } from '../../src/experiments/spec/spec';
import { parseCsv as parseCsvRows } from '../e2e/csv';

export const ROOT = resolve(__dirname, '../..');
export const BIN = join(ROOT, 'bin/homolab.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's JSON lines. */
  lines: Record<string, unknown>[];
}

export interface CliRun {
  /** Called with each JSON line as it arrives. */
  onLine?: (line: Record<string, unknown>) => void;
  /** Use `npx homolab` (as a user would) instead of `node bin/homolab.js`. */
  npx?: boolean;
}

export function homolab(args: string[], opts: CliRun = {}): Promise<CliResult> {
  const [cmd, argv] = opts.npx
    ? ['npx', ['--no-install', 'homolab', ...args]]
    : [process.execPath, [BIN, ...args]];
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let buf = '';
  const lines: Record<string, unknown>[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!l.startsWith('{')) continue;
      const obj = JSON.parse(l) as Record<string, unknown>;
      lines.push(obj);
      opts.onLine?.(obj);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((res) =>
    child.on('close', (code) => res({ code, stdout, stderr: stderr.slice(-4000), lines })),
  );
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'homolab-cli-'));
}

/** Writes a tiny seed sweep spec (optionally modified) and returns its path. */
export function tinySpec(
  dir: string,
  patch: (s: ExperimentSpecInput) => void = () => undefined,
): string {
  const spec = getPreset('seed-sweep').spec('tiny');
  patch(spec);
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

/** CSV rows as objects keyed by the header row. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows = parseCsvRows(text);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** `loss` series per run from CSV rows: runId → values by step. */
export function seriesByRun(
  rows: Record<string, string>[],
  metric: string,
): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (r.metric !== metric) continue;
    const m = out.get(r.run_id) ?? new Map<number, number>();
    m.set(Number(r.step), Number(r.value));
    out.set(r.run_id, m);
  }
  return out;
}
