/**
 * Which records count (DESIGN 4.2):
 * - application columns: per app, status ok, one record per unordered node pair, latest finishedAt;
 * - network column: one record per unordered node pair (any app), the latest ok record that has at
 *   least one network trace.
 * Ties on finishedAt go to the record that comes later in the input (the later write).
 */
import type { MeasurementRecord } from '../types';

/** Unordered node pair: A/B swapped is the same pair; a self-pair is `x|x`. */
export function pairKey(record: MeasurementRecord): string {
  const [a, b] = [record.nodeA.id, record.nodeB.id].sort();
  return `${a}|${b}`;
}

function latestPerKey(records: readonly MeasurementRecord[], key: (r: MeasurementRecord) => string): MeasurementRecord[] {
  const best = new Map<string, { record: MeasurementRecord; time: number }>();
  for (const record of records) {
    const time = Date.parse(record.finishedAt);
    const k = key(record);
    const current = best.get(k);
    if (!current || time >= current.time) best.set(k, { record, time });
  }
  return [...best.values()].map((b) => b.record);
}

export function selectApplicationRecords(records: readonly MeasurementRecord[]): Map<string, MeasurementRecord[]> {
  const ok = records.filter((r) => r.status === 'ok');
  const byApp = new Map<string, MeasurementRecord[]>();
  for (const r of ok) byApp.set(r.app, [...(byApp.get(r.app) ?? []), r]);
  const out = new Map<string, MeasurementRecord[]>();
  for (const [app, list] of byApp) out.set(app, latestPerKey(list, pairKey));
  return out;
}

export function selectNetworkRecords(records: readonly MeasurementRecord[]): MeasurementRecord[] {
  const usable = records.filter((r) => r.status === 'ok' && r.networkPath.traces.length > 0);
  return latestPerKey(usable, pairKey);
}
