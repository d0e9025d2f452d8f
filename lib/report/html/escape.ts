/**
 * HTML escaping for the HTML report. Everything that comes from records (app names, node ids,
 * SNI and DNS names, AS and IXP names, cities, failure details) goes through `html` before it
 * becomes markup: the five characters with a meaning in HTML become entities, and non-printable
 * characters are shown as `\xNN` like in the terminal (lib/text/escape.ts), so a record cannot
 * inject markup or hide text (bidi overrides) in the page.
 */
import { escapeText } from '../../text/escape';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content or attribute value (always quoted with "). */
export function html(text: string | number | null | undefined): string {
  if (text === null || text === undefined) return '';
  return escapeText(String(text)).replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}

/**
 * JSON for a `<script type="application/json">` element: `<` is written as \u003c so no value
 * can close the element (`</script>`) or open a comment; U+2028/2029 are escaped too.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
