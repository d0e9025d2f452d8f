/**
 * Names that come from records or from devices are escaped in text output (issue 11, part 2):
 * report Markdown and CSV (app names from a results file), campaign status/summary lines (failure
 * details carry device and host output). JSON output is left to JSON.stringify.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildReport, parseMeasurementLines, reportToCsv, reportToMarkdown } from '../lib/report';
import { defaultInterestGroups, defaultM49 } from '../lib/config/geo-tables';
import { formatSummary } from '../cli/commands/campaign';

const HOSTILE = '\x1b]0;pwned\x07\x1b[2J';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;
const INPUT = path.join(__dirname, 'fixtures', 'report', 'selection', 'input.jsonl');
const tables = { groups: defaultInterestGroups(), m49: defaultM49() };
const records = parseMeasurementLines(fs.readFileSync(INPUT, 'utf8'), INPUT).records.map((r) => ({ ...r, app: `evil${HOSTILE}` }));

test('report Markdown and CSV show a hostile app name escaped', () => {
  const report = buildReport(records, tables);
  expect(report.apps).toContain(`evil${HOSTILE}`);
  const md = reportToMarkdown(report);
  const csv = reportToCsv(report);
  for (const text of [md, csv]) {
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J');
  }
});

test('a campaign summary shows failure details from devices escaped', () => {
  const text = formatSummary({
    campaign: 'c1',
    total: 1,
    ok: 0,
    failed: 1,
    runs: 1,
    failures: [{ measurementId: 'c1/app/a/b', failure: 'shell_error', failedOperation: 'sendMessage', detail: `adb said ${HOSTILE}`, status: 'failed' }],
  });
  expect(text).not.toMatch(RAW_CONTROL);
  expect(text).toContain('adb said \\x1b]0;pwned\\x07\\x1b[2J');
});
