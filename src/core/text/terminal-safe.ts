/**
 * Text that reaches a terminal or is used as a name must not carry control characters or
 * bidirectional overrides: an ESC starts an escape sequence (colours, cursor moves, window
 * titles, even clipboard writes in some terminals), CR rewrites the line, BEL rings, NUL
 * truncates, and U+202E reverses how the rest of the line reads. Names with them are refused
 * on input (`unsafeCharIn`); free text (notes, errors, generated samples) may contain them and
 * is made visible instead (`terminalSafe`) wherever the CLI prints it.
 */

/** C0 controls but TAB/LF, DEL, C1 controls, bidi embeddings/overrides/isolates, lone surrogates. */
// Matching control characters is this regex's purpose.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Surrogate}/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');
const UNSAFE_IN_NAME = /[\t\n]/;

/** The first character that may not appear in a name, described, or null when there is none. */
export function unsafeCharIn(name: string): string | null {
  const m = UNSAFE.exec(name) ?? UNSAFE_IN_NAME.exec(name);
  if (!m) return null;
  const code = m[0].codePointAt(0)!;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${m.index}`;
}

/**
 * `text` with every unsafe character shown as a visible escape (`\x1b`, `\u202e`); with
 * `singleLine`, tabs and newlines too, so a value cannot break a table row.
 */
export function terminalSafe(text: string, opts: { singleLine?: boolean } = {}): string {
  const escape = (c: string) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  };
  const out = text.replace(UNSAFE_ALL, escape);
  return opts.singleLine ? out.replace(/[\t\n]/g, escape) : out;
}
