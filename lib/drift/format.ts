/**
 * `matador drift list`: the comparisons made and their alerts, newest first, as text for a
 * terminal (every name from records escaped) or as JSON (`matador.drift-list/v1`).
 */
import { escapeText } from '../text/escape';
import type { DriftAlert } from './alerts';

export const DRIFT_LIST_SCHEMA = 'matador.drift-list/v1';

export interface DriftCheck {
  configCampaign: string;
  runA: string;
  runB: string;
  checkedAt: string;
  alerts: number;
}

export interface DriftListEntry extends DriftCheck {
  list: DriftAlert[];
  webhook: { url: string; status: 'delivered' | 'failed'; tries: number; lastError: string | null; updatedAt: string } | null;
}

export function driftListJson(entries: readonly DriftListEntry[]): string {
  const checks = entries.map(({ list, ...check }) => ({ ...check, alerts: list }));
  return `${JSON.stringify({ schema: DRIFT_LIST_SCHEMA, checks }, null, 2)}\n`;
}

function webhookLine(w: NonNullable<DriftListEntry['webhook']>): string {
  const tries = `${w.tries} ${w.tries === 1 ? 'try' : 'tries'}`;
  return w.status === 'delivered'
    ? `  webhook ${w.url}: delivered (${tries}, ${w.updatedAt})`
    : `  webhook ${w.url}: FAILED after ${tries}, last at ${w.updatedAt}: ${w.lastError ?? 'no error text'}`;
}

export function driftListText(entries: readonly DriftListEntry[], campaign: string | undefined): string {
  if (entries.length === 0) return `no drift checks${campaign !== undefined ? ` of ${campaign}` : ''} yet (a campaign run is compared with the previous one when it completes)\n`;
  const out: string[] = [];
  for (const e of entries) {
    out.push(`${e.configCampaign}: ${e.runA} -> ${e.runB} (checked ${e.checkedAt}): ${e.alerts === 0 ? 'no change' : `${e.alerts} alert${e.alerts === 1 ? '' : 's'}`}`);
    const width = Math.max(0, ...e.list.map((a) => a.kind.length));
    for (const a of e.list) out.push(`  ${a.kind.padEnd(width)}  ${a.text}`);
    if (e.webhook) out.push(webhookLine(e.webhook));
  }
  return `${out.map(escapeText).join('\n')}\n`;
}
