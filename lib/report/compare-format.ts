/**
 * Markdown rendering of a comparison: what changed first (services, then the tables, then node
 * pairs), unchanged rows left out — the JSON form has everything.
 */
import type { Comparison, Delta, RunSummary } from './compare';
import { escapeText } from '../text/escape';

/** Table-safe and terminal-safe: names come from records (apps, areas, groups, node pairs). */
const mdEscape = (text: string): string => escapeText(text).replace(/\|/g, '\\|');
const list = (values: string[]): string => (values.length > 0 ? values.join(', ') : '-');

function share(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)}%`;
}

function pp(value: number | null): string {
  if (value === null) return 'n/a';
  return `${value > 0 ? '+' : ''}${value.toFixed(1)} pp`;
}

function deltaText(name: string, d: Delta): string {
  return `${name} ${d.a} (${share(d.percentA)}) -> ${d.b} (${share(d.percentB)}), ${pp(d.deltaPp)}`;
}

function runLine(which: string, run: RunSummary): string {
  const apps = Object.entries(run.appRecords).map(([app, n]) => `${app} ${n}`).join(', ');
  const emulated = run.provenance.emulatedRecords > 0 ? `; ${run.provenance.emulatedRecords} emulated` : '';
  return `- Run ${which}: ${mdEscape(run.name)}: ${run.records} records (network path ${run.networkRecords}${apps ? `, ${mdEscape(apps)}` : ''}${emulated})`;
}

export function comparisonToMarkdown(comparison: Comparison): string {
  const out: string[] = ['# Comparison of two runs', ''];
  if (comparison.label) {
    const emulated = (['a', 'b'] as const).map((k) => {
      const { emulatedRecords, realRecords, undeclaredRecords } = comparison.runs[k].provenance;
      return `run ${k.toUpperCase()}: ${emulatedRecords} of ${emulatedRecords + realRecords + undeclaredRecords} records emulated`;
    });
    out.push(`> **${comparison.label}** (${emulated.join('; ')})`, '');
  }
  out.push(runLine('A', comparison.runs.a), runLine('B', comparison.runs.b), '');
  if (comparison.identical) out.push('**No differences**: same tables, same service and path countries, same node pairs.', '');

  out.push('## Services and paths', '');
  const summaries = comparison.paths.filter((p) => p.summary !== null);
  if (summaries.length === 0) out.push('No service endpoint country and no path country changed.');
  for (const p of summaries) {
    const details: string[] = [];
    if (p.endpointCountries) {
      const where = (c: Record<string, number>) => Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ') || '-';
      details.push(`endpoint traces A: ${where(p.endpointCountries.a)}; B: ${where(p.endpointCountries.b)}`);
    }
    if (p.pathCountries.appeared.length > 0) details.push(`path countries appeared: ${list(p.pathCountries.appeared)}`);
    if (p.pathCountries.disappeared.length > 0) details.push(`path countries disappeared: ${list(p.pathCountries.disappeared)}`);
    out.push(`- **${mdEscape(p.summary as string)}**${details.length > 0 ? ` (${mdEscape(details.join('; '))})` : ''}`);
  }

  out.push('', '## Tables 2 and 3: changed areas', '');
  const changed = comparison.areas.filter((a) => a.changed);
  if (changed.length === 0) {
    out.push('No differences in Tables 2 and 3.');
  } else {
    out.push('| Area | Level | Path | Measurements A -> B | Changes (count (share) A -> B, percentage points) |', '| --- | --- | --- | --- | --- |');
    for (const a of changed) {
      const parts = [a.leftArea.delta !== 0 || a.leftArea.deltaPp ? deltaText('left area', a.leftArea) : null];
      for (const [group, d] of Object.entries(a.accessible)) parts.push(d.delta !== 0 || d.deltaPp ? deltaText(group, d) : null);
      const text = parts.filter((p): p is string => p !== null).join('; ') || 'shares unchanged';
      const path = a.path === 'network' ? 'Network path' : a.path;
      out.push(`| ${[a.area, a.level, path, `${a.measurements.a} -> ${a.measurements.b}`, text].map(mdEscape).join(' | ')} |`);
    }
  }

  const { pairs } = comparison;
  out.push('', '## Node pairs whose path countries changed', '');
  out.push(`${pairs.changed} changed, ${pairs.added} added (only in B), ${pairs.removed} removed (only in A).`);
  const total = pairs.changed + pairs.added + pairs.removed;
  if (total > pairs.listed.length) out.push(`Listing the first ${pairs.listed.length} of ${total} (--limit N lists more).`);
  if (pairs.listed.length > 0) {
    out.push('', '| Change | Path | Node pair | Countries A | Countries B | Appeared | Disappeared |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const p of pairs.listed) {
      const cells = [p.change, p.path, p.pair.replace('|', ' - '), p.a ? list(p.a.countries) : '-', p.b ? list(p.b.countries) : '-', list(p.appeared), list(p.disappeared)];
      out.push(`| ${cells.map(mdEscape).join(' | ')} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
