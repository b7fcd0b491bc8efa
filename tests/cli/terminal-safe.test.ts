/**
 * Text that reaches a terminal cannot drive it: names, notes and errors holding ESC, BEL, CR,
 * NUL or a bidi override (stored before imports refused them, or by another tool) are printed
 * by `homolab list` and `homolab show` with those characters escaped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store';
import { main } from '../../src/cli/main';
import { terminalSafe, unsafeCharIn } from '../../src/core/text/terminal-safe';

const dir = mkdtempSync(join(tmpdir(), 'homolab-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HOSTILE = 'a\u001b]52;c;aGk=\u0007b\rc\u0000d\u202ee\u009bf';
// Every character a terminal acts on, C1 controls included; TAB and LF only in free text.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex

describe('terminal-safe text', () => {
  it('escapes controls and bidi overrides visibly, and tells names that contain them', () => {
    expect(terminalSafe(HOSTILE)).toBe('a\\x1b]52;c;aGk=\\x07b\\x0dc\\x00d\\u202ee\\x9bf');
    expect(terminalSafe('x\ty\nz', { singleLine: true })).toBe('x\\x09y\\x0az');
    expect(terminalSafe('ok ✓ 😀 中文')).toBe('ok ✓ 😀 中文');
    expect(unsafeCharIn('fine name')).toBeNull();
    expect(unsafeCharIn('bad\u202ename')).toBe('U+202E at position 3');
    expect(unsafeCharIn('two\nlines')).toBe('U+000A at position 3');
  });

  it('homolab list and show print stored hostile text escaped', async () => {
    const db = join(dir, 'lab.sqlite');
    const s = openStore(db);
    const e = s.experiments.create({ name: HOSTILE, spec: {}, notes: HOSTILE });
    const r = s.runs.create({
      experimentId: e.id,
      name: HOSTILE,
      variant: { index: 0, axes: {}, model: {}, training: { steps: 3 } },
      initSeed: 1,
      dataSeed: 1,
    });
    s.runs.start(r.id);
    s.runs.finish(r.id, 'failed', { reason: HOSTILE, error: HOSTILE });
    s.close();
    for (const args of [['list'], ['show', `exp-${e.id}`], ['show', `run-${r.id}`]]) {
      const out: string[] = [];
      const io = {
        stdout: { write: (x: string) => out.push(x) && true } as never,
        stderr: { write: (x: string) => out.push(x) && true } as never,
      };
      expect(await main([...args, '--db', db], io)).toBe(0);
      const text = out.join('');
      expect(text, args.join(' ')).toContain('\\x1b]52');
      expect(RAW.test(text), `${args.join(' ')}: ${JSON.stringify(text)}`).toBe(false);
    }
  });
});
