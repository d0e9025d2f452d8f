/**
 * persistRecord's answer for the workflow's details (lib/workflow-text): which interest groups
 * can access each path of an ok record. The groups are the table the record names (the
 * campaign's geo.interestGroups, written by the geolocate step) or the shipped one. The record is
 * what matters: a table that cannot be read costs only this line of the details (the error goes
 * to the worker log), never the stored record.
 */
import * as fs from 'fs';
import { defaultInterestGroups, loadInterestGroups } from '../lib/config/geo-tables';
import type { InterestGroup } from '../lib/geo/groups';
import type { GroupAccess, MeasurementRecord } from '../lib/measurement/payloads';
import { groupAccess } from '../lib/workflow-text/access';

// A campaign's own table, read again only when the file changes (one read per worker otherwise).
const tables = new Map<string, { mtimeMs: number; groups: InterestGroup[] }>();

function groupsFrom(file: string | null | undefined): InterestGroup[] {
  if (!file) return defaultInterestGroups();
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch (err) {
    throw new Error(`cannot read interest groups file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const hit = tables.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.groups;
  const groups = loadInterestGroups(file);
  tables.set(file, { mtimeMs, groups });
  return groups;
}

/** The access of each group of the record's table; undefined for a failed record or an unreadable table. */
export function recordAccess(record: MeasurementRecord, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): GroupAccess[] | undefined {
  if (record.status !== 'ok') return undefined;
  const geolocation = record.geolocation as { tables?: { interestGroups?: unknown } } | null | undefined;
  const file = geolocation?.tables?.interestGroups;
  try {
    return groupAccess(record, groupsFrom(typeof file === 'string' ? file : null));
  } catch (err) {
    log(`persistRecord ${record.measurementId}: interest groups left out of the workflow details: ${(err as { message?: string }).message ?? String(err)}`);
    return undefined;
  }
}
