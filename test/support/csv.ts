/** Reading CSV back in tests as a spreadsheet would. */

/** RFC 4180 reader (quoted fields, doubled quotes, LF or CRLF): what a spreadsheet would see. */
export function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (quoted || (ch !== ',' && ch !== '\n' && ch !== '\r')) {
      field += ch;
    } else if (ch === ',' || ch === '\n') {
      row.push(field);
      field = '';
      if (ch === '\n') {
        rows.push(row);
        row = [];
      }
    }
  }
  return rows;
}

/** The rows of a CSV text as objects keyed by its header (every row must have the header's width). */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = readCsv(text);
  for (const row of rows) if (row.length !== header.length) throw new Error(`CSV row of ${row.length} fields under a header of ${header.length}: ${row.join(',')}`);
  return rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
}
