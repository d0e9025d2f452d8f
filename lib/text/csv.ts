/**
 * CSV cells and tables, one writer for every CSV matador writes (report tables, dataset export).
 * Quoting per RFC 4180 (a field with a comma, quote or line break is quoted, quotes doubled);
 * lines end with LF, as pandas, R and spreadsheets read them. Text cells come from records,
 * devices and traffic, so they are made safe twice:
 *  - escapeText (lib/text/escape.ts): no control characters reach the file or a terminal;
 *  - spreadsheet formulas: a text cell starting with = + - @ (or a tab / carriage return) gets a
 *    leading ' so Excel/LibreOffice show it instead of evaluating it (OWASP "CSV injection").
 * Numbers are written as numbers (a negative number is data, not a formula); null and undefined
 * are the empty cell: unknown.
 */
import { escapeText } from './escape';

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${escapeText(value)}` : escapeText(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/** A column of a CSV table: its header and how a row gives its cell. Declared once, so header and cells cannot drift. */
export interface CsvColumn<T> {
  header: string;
  cell: (row: T) => CsvValue;
  /** For the documentation (README, --help). */
  description: string;
}

export const csvHeader = <T>(columns: readonly CsvColumn<T>[]): string => csvLine(columns.map((c) => c.header));
export const csvRow = <T>(columns: readonly CsvColumn<T>[], row: T): string => csvLine(columns.map((c) => c.cell(row)));
