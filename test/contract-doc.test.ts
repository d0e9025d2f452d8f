/**
 * README shows the step table, the failure catalogue and the dataset CSV columns as the code
 * declares them. After a change of lib/measurement/steps.ts, lib/failures.ts or lib/record/csv.ts,
 * UPDATE_DOCS=1 rewrites README's copies.
 */
import * as fs from 'fs';
import * as path from 'path';
import { failureCatalogueMarkdown, stepTableMarkdown } from '../lib/measurement/contract-doc';
import { csvColumnsMarkdown, HOP_COLUMNS, MEASUREMENT_COLUMNS } from '../lib/record/csv';

const readme = path.join(__dirname, '..', 'README.md');

function block(text: string, name: string): { start: number; end: number } {
  const open = `<!-- ${name}: generated from the code, see test/contract-doc.test.ts -->\n`;
  const close = `\n<!-- /${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md has no ${name} block (${open.trim()} ... ${close.trim()})`);
  return { start: start + open.length, end };
}

test.each([
  ['step-table', stepTableMarkdown],
  ['failure-catalogue', failureCatalogueMarkdown],
  ['dataset-csv-hops', () => csvColumnsMarkdown(HOP_COLUMNS)],
  ['dataset-csv-measurements', () => csvColumnsMarkdown(MEASUREMENT_COLUMNS)],
])('README shows the %s as declared', (name, render) => {
  let text = fs.readFileSync(readme, 'utf8');
  const { start, end } = block(text, name);
  if (process.env.UPDATE_DOCS === '1') {
    text = text.slice(0, start) + render() + text.slice(end);
    fs.writeFileSync(readme, text);
  }
  expect(text.slice(start, end)).toBe(render());
});
