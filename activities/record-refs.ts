/**
 * persistRecord's half of "history stays small": the record built in the workflow keeps, per
 * side, only the summary classifyFlows returned (counts and `classificationRef`, a JSON file
 * under the data folder). Before storing, the full side classification (flows, endpoints,
 * messages) is read back from that file, so the stored record and its exports
 * (`matador.measurement/v1`, field `flows`) carry every flow as before.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MeasurementRecord, SideClassification } from '../lib/measurement/payloads';

interface SideRef {
  side?: unknown;
  classificationRef?: unknown;
}

/** Whether the record still holds references to side classifications stored elsewhere. */
export function hasClassificationRefs(record: MeasurementRecord): boolean {
  return Array.isArray(record.flows) && (record.flows as SideRef[]).some((s) => typeof s?.classificationRef === 'string');
}

function notShipped(record: MeasurementRecord, ref: string): boolean {
  return (record.artefacts ?? []).some((a) => a.path === ref && a.present === false);
}

/** The record with each side summary replaced by the side classification its file holds. */
export function resolveClassificationRefs(record: MeasurementRecord, dataDir: string | undefined): MeasurementRecord {
  if (!hasClassificationRefs(record)) return record;
  if (!dataDir) throw new Error(`persistRecord: record ${record.measurementId} references side classifications, but this worker has no data folder to read them from`);
  const root = path.resolve(dataDir);
  const flows = (record.flows as SideRef[]).map((s) => {
    if (typeof s?.classificationRef !== 'string') return s;
    const file = path.resolve(root, s.classificationRef);
    const rel = path.relative(root, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`persistRecord: classification reference ${JSON.stringify(s.classificationRef)} is outside the data folder`);
    // A classification shipping could not bring here (the record says so): the summary stays.
    if (!fs.existsSync(file) && notShipped(record, s.classificationRef)) return s;
    const full = JSON.parse(fs.readFileSync(file, 'utf8')) as SideClassification;
    if (full.side !== s.side) throw new Error(`persistRecord: ${s.classificationRef} holds side ${String(full.side)}, not ${String(s.side)}`);
    return full;
  });
  return { ...record, flows };
}
