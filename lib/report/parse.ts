/**
 * Reading matador.measurement/v1 JSON lines. Checks the fields the analysis relies on, so that a
 * broken line is reported with its file and line number instead of silently skewing a table.
 * Records of older exports get today's failure fields (lib/record/read.ts).
 */
import { readableRecord } from '../record/read';
import { MEASUREMENT_SCHEMA, type MeasurementRecord } from '../types';

export interface InvalidLine {
  line: number;
  error: string;
}

export interface ParsedDataset {
  records: MeasurementRecord[];
  invalid: InvalidLine[];
}

export class InvalidRecordError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: invalid measurement record: ${reason}`);
    this.name = 'InvalidRecordError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCountryCode = (v: unknown): v is string => typeof v === 'string' && /^[A-Z]{2}$/.test(v);
const isPathKind = (v: unknown): boolean => v === 'network' || v === 'application';

function checkNode(v: unknown, key: string): string | null {
  if (!isObject(v)) return `${key} must be an object {id, country}`;
  if (typeof v.id !== 'string' || v.id === '') return `${key}.id must be a non-empty string`;
  if (!isCountryCode(v.country)) return `${key}.country must be an ISO 3166-1 alpha-2 code, got ${JSON.stringify(v.country)}`;
  return null;
}

/** `as` of a hop or interface (optional): the report reads its registration country. */
function asProblem(as: unknown, at: string): string | null {
  if (as === undefined) return null;
  if (!isObject(as)) return `${at}.as must be an object {asn, name, registrationCountry, source, databaseDate}`;
  const cc = as.registrationCountry;
  if (cc !== undefined && cc !== null && !isCountryCode(cc)) return `${at}.as.registrationCountry must be an ISO 3166-1 alpha-2 code or null, got ${JSON.stringify(cc)}`;
  return null;
}

/** `ixp` of a hop or interface (optional): the report reads the exchange's country. */
function ixpProblem(ixp: unknown, at: string): string | null {
  if (ixp === undefined || ixp === null) return null;
  if (!isObject(ixp) || typeof ixp.ixId !== 'number' || typeof ixp.name !== 'string') return `${at}.ixp must be an object {ixId, name, country, city, prefix, source}, got ${JSON.stringify(ixp).slice(0, 80)}`;
  if (ixp.country !== null && !isCountryCode(ixp.country)) return `${at}.ixp.country must be an ISO 3166-1 alpha-2 code or null, got ${JSON.stringify(ixp.country)}`;
  return null;
}

/** A record's stored `anomalies` (optional; computed from the traces when absent): what the report counts. */
function anomaliesProblem(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return 'anomalies must be an object {boomerangs, detourCountries, ixpCrossings}';
  if (!Array.isArray(v.boomerangs)) return 'anomalies.boomerangs must be a list';
  for (const [i, b] of v.boomerangs.entries()) {
    if (!isObject(b) || !isPathKind(b.path)) return `anomalies.boomerangs[${i}].path must be "network" or "application", got ${JSON.stringify(isObject(b) ? b.path : b)}`;
  }
  if (!Array.isArray(v.detourCountries)) return 'anomalies.detourCountries must be a list';
  for (const [i, c] of v.detourCountries.entries()) {
    if (!isCountryCode(c)) return `anomalies.detourCountries[${i}] must be an ISO 3166-1 alpha-2 code, got ${JSON.stringify(c)}`;
  }
  if (!Array.isArray(v.ixpCrossings)) return 'anomalies.ixpCrossings must be a list';
  for (const [i, x] of v.ixpCrossings.entries()) {
    if (!isObject(x) || !isPathKind(x.path)) return `anomalies.ixpCrossings[${i}].path must be "network" or "application", got ${JSON.stringify(isObject(x) ? x.path : x)}`;
    if (x.country !== null && !isCountryCode(x.country)) return `anomalies.ixpCrossings[${i}].country must be an ISO 3166-1 alpha-2 code or null, got ${JSON.stringify(x.country)}`;
  }
  return null;
}

function checkPath(v: unknown, key: string): string | null {
  if (!isObject(v) || !Array.isArray(v.traces)) return `${key}.traces must be a list`;
  for (const [t, trace] of v.traces.entries()) {
    if (!isObject(trace) || !Array.isArray(trace.hops)) return `${key}.traces[${t}].hops must be a list`;
    for (const [h, hop] of trace.hops.entries()) {
      const at = `${key}.traces[${t}].hops[${h}]`;
      if (!isObject(hop)) return `${at} must be an object`;
      if (hop.ip !== undefined && hop.ip !== null && typeof hop.ip !== 'string') return `${at}.ip must be a string or null`;
      if (hop.country !== undefined && hop.country !== null && typeof hop.country !== 'string') return `${at}.country must be a string or null`;
      const asBad = asProblem(hop.as, at) ?? ixpProblem(hop.ixp, at);
      if (asBad) return asBad;
      if (hop.otherIps !== undefined && (!Array.isArray(hop.otherIps) || hop.otherIps.some((ip) => typeof ip !== 'string'))) return `${at}.otherIps must be a list of addresses`;
      if (hop.otherInterfaces !== undefined) {
        if (!Array.isArray(hop.otherInterfaces)) return `${at}.otherInterfaces must be a list`;
        for (const [i, other] of hop.otherInterfaces.entries()) {
          if (!isObject(other) || typeof other.ip !== 'string') return `${at}.otherInterfaces[${i}].ip must be an address`;
          if (other.country !== undefined && other.country !== null && typeof other.country !== 'string') return `${at}.otherInterfaces[${i}].country must be a string or null`;
          if (other.rttMs !== undefined && !Array.isArray(other.rttMs)) return `${at}.otherInterfaces[${i}].rttMs must be a list`;
          const otherAs = asProblem(other.as, `${at}.otherInterfaces[${i}]`) ?? ixpProblem(other.ixp, `${at}.otherInterfaces[${i}]`);
          if (otherAs) return otherAs;
        }
      }
    }
  }
  return null;
}

/** Why a parsed JSON value is not a usable record, or null when it is. */
export function recordProblem(v: unknown): string | null {
  if (!isObject(v)) return 'not a JSON object';
  if (v.schema !== MEASUREMENT_SCHEMA) return `schema must be ${MEASUREMENT_SCHEMA}, got ${JSON.stringify(v.schema)}`;
  if (typeof v.app !== 'string' || v.app === '') return 'app must be a non-empty string';
  if (v.status !== 'ok' && v.status !== 'failed') return `status must be "ok" or "failed", got ${JSON.stringify(v.status)}`;
  if (typeof v.finishedAt !== 'string' || Number.isNaN(Date.parse(v.finishedAt))) return `finishedAt must be an ISO 8601 time, got ${JSON.stringify(v.finishedAt)}`;
  // A misspelt kind would silently drop the emulated label, so it is an error, not an unknown value.
  if (v.testbedKind !== undefined && v.testbedKind !== 'emulated' && v.testbedKind !== 'real') return `testbedKind must be "emulated" or "real" when present, got ${JSON.stringify(v.testbedKind)}`;
  return (
    checkNode(v.nodeA, 'nodeA') ??
    checkNode(v.nodeB, 'nodeB') ??
    checkPath(v.networkPath, 'networkPath') ??
    checkPath(v.applicationPath, 'applicationPath') ??
    anomaliesProblem(v.anomalies)
  );
}

/**
 * Parses JSON lines; blank lines are skipped. Without skipInvalid the first bad line throws
 * InvalidRecordError (file:line: reason); with it, bad lines are collected in `invalid`.
 */
export function parseMeasurementLines(text: string, file: string, options: { skipInvalid?: boolean } = {}): ParsedDataset {
  const records: MeasurementRecord[] = [];
  const invalid: InvalidLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    let problem: string | null;
    let value: unknown;
    try {
      value = JSON.parse(raw);
      problem = recordProblem(value);
    } catch (err) {
      problem = `not valid JSON (${(err as Error).message})`;
    }
    if (problem === null) {
      records.push(readableRecord(value as MeasurementRecord));
    } else if (options.skipInvalid) {
      invalid.push({ line: i + 1, error: problem });
    } else {
      throw new InvalidRecordError(file, i + 1, problem);
    }
  }
  return { records, invalid };
}
