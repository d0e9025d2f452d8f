/**
 * Artefact shipping, declared once (issue 13): a testbed host writes captures, screenshots, UI
 * dumps, raw traces, classifications and baselines into ITS data folder; the central worker
 * keeps the same relative layout under ITS data folder. Nothing but Temporal connects the two,
 * so the bytes travel as activity payloads: a testbed step lists the files (manifest: path,
 * bytes, sha256), a central step says which are already there, then each missing file goes in
 * chunks of ARTEFACT_CHUNK_BYTES (read on the testbed, base64 in the payload, written centrally
 * into a part file at its offset), and a central step verifies size + sha256 and renames it into
 * place. Pure data and types: workflows import this.
 */
import type { ArtefactRef } from '../types';

/** Raw bytes per chunk. A chunk travels twice through history (the read's result, the write's
 *  input), base64 encoded: ARTEFACT_CHUNK_PAYLOAD_BYTES each, far below Temporal's 2 MiB limit. */
export const ARTEFACT_CHUNK_BYTES = 256 * 1024;
export const ARTEFACT_CHUNK_PAYLOAD_BYTES = Math.ceil(ARTEFACT_CHUNK_BYTES / 3) * 4;
/** Chunks one run of the shipping workflow moves before it continues as new: 2 events of
 *  ~342 KiB per chunk, so a run's history stays under ~6 MiB (Temporal warns at 10 MiB). */
export const CHUNKS_PER_RUN = 8;
/** Whole tries of one artefact (a central copy that fails its checksum is sent once more). */
export const SHIP_TRIES = 2;

/** One file as the testbed's manifest lists it. */
export interface ManifestEntry {
  kind: string;
  path: string;
  bytes: number;
  sha256: string;
}

/** What the testbed step `artefactManifest` returns. */
export interface ArtefactManifest {
  /** The testbed data folder's identity (a random id kept in it): the central step compares it
   *  with its own, so one host with one data folder verifies instead of copying. */
  folder: string;
  entries: ManifestEntry[];
  /** Listed files the testbed does not hold, with why (catalogue code + detail). */
  missing: Array<{ kind: string; path: string; failure: string; detail: string }>;
}

/** What the central step `prepareArtefacts` decided per manifest entry. */
export interface PlannedArtefact extends ManifestEntry {
  /** `present`: the central folder already holds it with this sha256 (also: the same folder on
   *  one host); `send`: to be sent from byte `from` (a part file of an earlier try holds the
   *  chunks before it). */
  state: 'present' | 'send';
  from: number;
}

/** The outcome per artefact, as the record keeps it. */
export type ShippedArtefact = Required<Pick<ArtefactRef, 'kind' | 'path' | 'bytes' | 'sha256' | 'testbed' | 'present' | 'failure' | 'detail'>>;

/** Input of the shipping workflow (one per measurement, workflow id `<measurement wf id>/artefacts`). */
export interface ShipArtefactsInput {
  measurementId: string;
  testbed: string;
  artefacts: ArtefactRef[];
  timeoutScale?: number;
  /** Tests move fewer chunks per run, to see continue-as-new (default CHUNKS_PER_RUN). */
  chunksPerRun?: number;
  /** Carried across continue-as-new: what is done, and what is left (with each one's next offset). */
  progress?: { done: ShippedArtefact[]; left: Array<PlannedArtefact & { tries: number }>; chunks: number; runs: number };
}

export interface ShipArtefactsResult {
  artefacts: ShippedArtefact[];
  /** Chunks sent by all runs (0: everything was already there). */
  chunks: number;
  runs: number;
}

/** The offsets of the chunks of a file of `bytes` from `from` (a multiple of the chunk size). */
export function chunkOffsets(from: number, bytes: number): number[] {
  const out: number[] = [];
  for (let o = from; o < bytes; o += ARTEFACT_CHUNK_BYTES) out.push(o);
  return out;
}

/** The record's artefact list with what shipping found (same order; unknown paths stay as they were). */
export function withShipping(list: readonly ArtefactRef[], shipped: readonly ShippedArtefact[]): ArtefactRef[] {
  const byPath = new Map(shipped.map((s) => [s.path, s]));
  return list.map((a) => {
    const s = byPath.get(a.path);
    return s ? { ...a, bytes: s.bytes, sha256: s.sha256, testbed: s.testbed, present: s.present, failure: s.failure, detail: s.detail } : a;
  });
}

/** Every listed artefact marked as not shipped, with one reason (the shipping itself failed). */
export function notShipped(list: readonly ArtefactRef[], testbed: string, failure: string, detail: string): ShippedArtefact[] {
  return list.map((a) => ({ kind: a.kind, path: a.path, bytes: a.bytes ?? null, sha256: a.sha256 ?? null, testbed, present: false, failure, detail }));
}

/** The paths once each (a record lists a file under one kind). */
export function uniqueByPath(list: readonly ArtefactRef[]): ArtefactRef[] {
  const seen = new Set<string>();
  return list.filter((a) => !seen.has(a.path) && (seen.add(a.path), true));
}
