/**
 * What the records say about their geolocation (GeolocationInfo, written by the geolocate step):
 * the licence attributions of the databases that placed their hops, which the report must show,
 * and the M49 / interest-group tables their campaign chose (`geo.m49`, `geo.interestGroups`),
 * which `report --campaign` uses. Records written before these fields say nothing: no
 * attributions, shipped tables.
 */
import type { MeasurementRecord } from '../types';

interface GeolocationView {
  attributions?: unknown;
  tables?: { m49?: unknown; interestGroups?: unknown } | null;
}

function geolocationOf(record: MeasurementRecord): GeolocationView | null {
  const g = record.geolocation;
  return g !== null && typeof g === 'object' ? (g as GeolocationView) : null;
}

/** Distinct attribution texts of all records, in first-seen order. */
export function attributionsOf(records: readonly MeasurementRecord[]): string[] {
  const out: string[] = [];
  for (const record of records) {
    const list = geolocationOf(record)?.attributions;
    if (!Array.isArray(list)) continue;
    for (const text of list) if (typeof text === 'string' && text !== '' && !out.includes(text)) out.push(text);
  }
  return out;
}

export interface RecordTables {
  /** absolute file, or null: the shipped table */
  m49: string | null;
  interestGroups: string | null;
}

/**
 * The tables the records' campaign configured; null values mean the shipped ones. Records that
 * name different tables (the campaign file was changed between measurements) cannot make one
 * report: throws saying which differ.
 */
export function tablesOf(records: readonly MeasurementRecord[]): RecordTables {
  const seen: Record<keyof RecordTables, Set<string | null>> = { m49: new Set(), interestGroups: new Set() };
  for (const record of records) {
    const tables = geolocationOf(record)?.tables;
    if (!tables || typeof tables !== 'object') continue;
    for (const key of ['m49', 'interestGroups'] as const) {
      const value = tables[key];
      seen[key].add(typeof value === 'string' && value !== '' ? value : null);
    }
  }
  const pick = (key: keyof RecordTables): string | null => {
    const values = [...seen[key]];
    if (values.length > 1) throw new Error(`the records name different ${key} tables (${values.map((v) => v ?? 'shipped').join(', ')}): pass one with --${key === 'm49' ? 'm49' : 'groups'}`);
    return values[0] ?? null;
  };
  return { m49: pick('m49'), interestGroups: pick('interestGroups') };
}
