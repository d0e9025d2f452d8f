/**
 * Text for a workflow's user metadata (summary, details): the Temporal Web UI renders it as
 * Markdown and anyone who can open the UI reads it. So text that came from a device or from
 * traffic (failure details, IXP names) goes in only cleaned: control characters escaped
 * (lib/text/escape.ts), on one line, bounded, and as an inline code span, where Markdown renders
 * nothing (no link, no emphasis, no HTML). Pure: workflow code imports it.
 */
import { escapeText } from '../text/escape';

/** Longest one-line summary (the Web UI shows it in the workflow list; longer is cut). */
export const MAX_SUMMARY_CHARS = 200;
/** Longest details text (several lines). */
export const MAX_DETAILS_CHARS = 2000;
/** Longest single piece of foreign text inside a line. */
export const MAX_FOREIGN_CHARS = 160;

/** At most `max` characters: longer text ends in "…". Cuts between code points. */
export function bounded(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** One line: whitespace runs (also newlines) become one space, control characters are escaped. */
export function oneLine(text: string, max = MAX_SUMMARY_CHARS): string {
  return bounded(escapeText(text.replace(/\s+/g, ' ').trim()), max);
}

/** Foreign text as an inline code span: one line, bounded, backticks replaced (they would end the span). */
export function foreign(text: string, max = MAX_FOREIGN_CHARS): string {
  const clean = oneLine(text, max).replace(/`/g, "'");
  return clean === '' ? "''" : `\`${clean}\``;
}

/** Headline plus Markdown list items, bounded as a whole (cut at a line end when it can). */
export function detailsText(headline: string, items: readonly string[], max = MAX_DETAILS_CHARS): string {
  const cut = '- …';
  const lines = [bounded(oneLine(headline, MAX_DETAILS_CHARS), max - cut.length - 2)];
  let length = lines[0].length + 1;
  for (const item of items) {
    const line = `- ${oneLine(item, MAX_DETAILS_CHARS)}`;
    // room is kept for the cut mark, so the text never ends in the middle of a line
    if (length + 1 + line.length > max - cut.length - 1) {
      lines.push(cut);
      break;
    }
    lines.push(line);
    length += 1 + line.length;
  }
  // A blank line after the headline: the Web UI's Markdown starts the list only after one.
  return lines.length === 1 ? lines[0] : `${lines[0]}\n\n${lines.slice(1).join('\n')}`;
}
