/**
 * Where the records of a report come from. A figure computed from the emulated world (DESIGN 5)
 * must never be mistaken for a real-network measurement, so any emulated record labels the whole
 * report: the label is conservative on purpose (one emulated record in a thousand still labels).
 */
import type { MeasurementRecord } from '../types';

export const EMULATED_LABEL = 'EMULATED WORLD — not a real-network measurement';

export interface Provenance {
  emulatedRecords: number; // testbedKind "emulated"
  realRecords: number; // testbedKind "real"
  /** Records without testbedKind (written before the field existed): neither claimed real nor emulated. */
  undeclaredRecords: number;
  label: typeof EMULATED_LABEL | null;
}

/** Counts every record handed in (the input of the report, before selection). */
export function provenanceOf(records: readonly MeasurementRecord[]): Provenance {
  let emulatedRecords = 0;
  let realRecords = 0;
  for (const record of records) {
    if (record.testbedKind === 'emulated') emulatedRecords += 1;
    else if (record.testbedKind === 'real') realRecords += 1;
  }
  return {
    emulatedRecords,
    realRecords,
    undeclaredRecords: records.length - emulatedRecords - realRecords,
    label: emulatedRecords > 0 ? EMULATED_LABEL : null,
  };
}

/** True when at least one record says which testbed produced it. */
export function declaresTestbed(provenance: Provenance): boolean {
  return provenance.emulatedRecords + provenance.realRecords > 0;
}

/** One line for the top of a text report, e.g. `EMULATED WORLD — ...: 3 of 5 records come from the emulated testbed`. */
export function provenanceLine(provenance: Provenance): string | null {
  if (provenance.label === null) return null;
  const total = provenance.emulatedRecords + provenance.realRecords + provenance.undeclaredRecords;
  return `${provenance.label}: ${provenance.emulatedRecords} of ${total} records come from the emulated testbed`;
}
