/**
 * Text that came from traffic or from a device (TLS server names, DNS names, UI text, host names,
 * device output) is shown in a terminal only through `escapeText`: control characters and other
 * non-printables (C0/C1 controls, DEL, format characters such as bidi overrides, line/paragraph
 * separators, lone surrogates, private-use and unassigned code points) become `\xNN`
 * (or `\u{N}` above U+00FF), so a capture cannot rewrite the title, clear the screen or
 * reorder what the user reads. Printable text, including non-ASCII letters, is kept as it is.
 * JSON output needs no such step: JSON.stringify writes every control character as `\uNNNN`.
 */

const UNSAFE = /[\p{C}\p{Zl}\p{Zp}]/gu;

function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
}

/** The text with every non-printable character as `\xNN` / `\u{N}`; printable text unchanged. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** escapeText for an optional value (null/undefined stay as they are). */
export function escapeMaybe<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? escapeText(text) : text) as T;
}
