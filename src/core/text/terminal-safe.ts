/**
 * Text from the store (experiment and run names, notes, error messages) printed on a terminal.
 * A name can come from an imported bundle or a spec file written by anyone, so it may carry
 * control characters: an ESC starts a terminal escape sequence (colours, cursor moves, window
 * titles, hyperlinks), and bidirectional overrides make text read differently from how it is
 * stored. Each such character is shown as a visible escape (`\x1b`, `\u202e`) instead; all
 * other text, CJK and emoji included, passes unchanged. Names are refused on input when they
 * hold one (`unsafeCharIn`: specs, the API's names, bundles).
 */

/** C0 controls and DEL, C1 controls, the bidi embeddings/overrides and isolates, lone surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Surrogate}/gu;

function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control and bidi-override character replaced by a visible escape. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** The first character a name may not hold, described (`U+001B at position 3`), or null. */
export function unsafeCharIn(name: string): string | null {
  UNSAFE.lastIndex = 0;
  const m = UNSAFE.exec(name);
  UNSAFE.lastIndex = 0;
  if (!m) return null;
  const code = m[0].codePointAt(0)!;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${m.index}`;
}
