/** terminalSafe: control and bidi-override characters become visible escapes; text stays. */
import { describe, expect, it } from 'vitest';
import { terminalSafe, unsafeCharIn } from '../../../src/core/text/terminal-safe';

describe('terminalSafe', () => {
  it('escapes C0 and C1 controls, DEL, ESC sequences and bidi overrides', () => {
    expect(terminalSafe('a\x1b[31mred\x1b[0m')).toBe('a\\x1b[31mred\\x1b[0m');
    expect(terminalSafe('\x1b]0;title\x07')).toBe('\\x1b]0;title\\x07');
    expect(terminalSafe('x\u009b2Jy')).toBe('x\\x9b2Jy');
    expect(terminalSafe('\0\t\n\r\x7f')).toBe('\\x00\\x09\\x0a\\x0d\\x7f');
    expect(terminalSafe('abc\u202edcba')).toBe('abc\\u202edcba');
    for (const c of [
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ])
      expect(terminalSafe(`x${c}y`)).toBe(`x\\u${c.charCodeAt(0).toString(16)}y`);
  });

  it('leaves ordinary text alone: accents, CJK, emoji, right-to-left scripts', () => {
    for (const s of ['Seed sweep (d=64)', 'café naïve', '种子扫描', 'run 🚀', 'مرحبا', 'a\u200db'])
      expect(terminalSafe(s)).toBe(s);
  });
});

describe('unsafeCharIn', () => {
  it('names the first character a name may not hold, lone surrogates included', () => {
    expect(unsafeCharIn('Seed sweep ✓ 😀 种子')).toBeNull();
    expect(unsafeCharIn('bad\u202ename')).toBe('U+202E at position 3');
    expect(unsafeCharIn('two\nlines')).toBe('U+000A at position 3');
    expect(unsafeCharIn('x\ud800')).toBe('U+D800 at position 1');
    expect(terminalSafe('x\ud800y')).toBe('x\\ud800y');
  });
});
