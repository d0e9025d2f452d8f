/**
 * The measurement record (DESIGN 4.1, `matador.measurement/v1`) from what the steps returned.
 * Pure and deterministic (type imports only): the measurement workflow calls it, and the golden
 * tests pin its output. Besides the contract fields the record carries: testbedKind, the
 * attempts with their steps, the messages with send/receive times (controller clock; which
 * Android observable gave each, and its bracket), the classification per
 * side (here classifyFlows' summary with `classificationRef`: persistRecord reads the side's
 * flows, endpoints and messages back from that file before storing, activities/record-refs.ts), the phones (app version as found on the device, clock offset), the tunnels,
 * the no-app baselines used, geolocation sources, path anomalies (lib/analysis/anomalies.ts), every artefact (captures, screenshots, raw
 * traceroute output, each side's classification file, the no-app baselines, and the failure
 * screenshots and UI dumps failed attempts kept, which their attempt lists too; paths relative
 * to the data folder; the measurement workflow adds what shipping found: bytes, sha256, testbed,
 * present centrally or why not) and timings against the configured
 * timers (`timings.overheadSeconds`: what the steps cost beyond the Fig. 2 waits).
 */
import { pathAnomalies } from '../analysis/anomalies';
import { NO_FAILURE, type FailureFields } from '../failures';
import type { AttemptRecord, MeasurementSpec, MessageSent } from '../measurement/payloads';
import type { StepIO } from '../measurement/steps';
import { MEASUREMENT_SCHEMA, type ArtefactRef, type MeasurementRecord, type Side, type TestbedKind } from '../types';

/** What a step returned (its declared output). */
type Output<K extends keyof StepIO> = StepIO[K][1];

/** What the steps of the successful attempt returned, as the step table declares them. */
export interface AttemptOutputs {
  tunnels: Output<'provisionTunnels'> | null;
  phones: Output<'configurePhones'> | null;
  capture: Output<'startCapture'> | null;
  messages: Array<Output<'sendMessage'>>;
  files: Output<'fetchCapture'>;
  classification: Output<'classifyFlows'>;
  paths: Output<'geolocate'>;
}

export interface RecordInput {
  measurement: Pick<MeasurementSpec, 'measurementId' | 'campaign' | 'app' | 'nodeA' | 'nodeB' | 'testbed' | 'messages' | 'settleSeconds' | 'captureTailSeconds'>;
  /** The run's timerScale (multiplies the plan's already scaled waits; 1 = as planned). */
  timerScale: number;
  startedAt: string;
  finishedAt: string;
  workflow: { workflowId: string; runId: string };
  attempts: AttemptRecord[];
  /** No failure (all null) when an attempt succeeded. */
  failure: FailureFields;
  testbedKind: TestbedKind | null;
  outputs: AttemptOutputs | null;
}

function artefactsOf(value: { artefacts?: ArtefactRef[] } | null): ArtefactRef[] {
  return value?.artefacts ?? [];
}

const seconds = (from: string, to: string | null): number | null => {
  if (!to) return null;
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) ? Math.round(d) / 1000 : null;
};

/** Configured seconds of the Fig. 2 phases the workflow waits (message waits, settle, tail). */
export function configuredWaitSeconds(m: RecordInput['measurement'], timerScale: number): number {
  const waits = m.messages.reduce((sum, msg) => sum + msg.waitSeconds, 0) + (m.settleSeconds ?? 0) + (m.captureTailSeconds ?? 0);
  return Math.round(waits * timerScale * 1000) / 1000;
}

/** One message as the record keeps it, and the record's timings (the published schema, lib/record/schema.ts, follows these). */
export type RecordMessage = ReturnType<typeof messagesOf>[number];
export type RecordTimings = ReturnType<typeof timings>;

function timings(input: RecordInput) {
  const ok = input.outputs ? (input.attempts.find((a) => a.failure === null) ?? null) : null;
  const configured = configuredWaitSeconds(input.measurement, input.timerScale);
  const attemptSeconds = ok ? seconds(ok.startedAt, ok.finishedAt) : null;
  return {
    configuredWaitSeconds: configured,
    wallSeconds: seconds(input.startedAt, input.finishedAt),
    attemptSeconds,
    overheadSeconds: attemptSeconds === null ? null : Math.round((attemptSeconds - configured) * 1000) / 1000,
    steps: (ok?.steps ?? []).map((s) => ({ step: s.step, seconds: seconds(s.startedAt, s.finishedAt) })),
  };
}

function messagesOf(messages: MessageSent[]) {
  return messages.map((m) => ({
    index: m.index,
    from: m.from,
    to: (m.from === 'A' ? 'B' : 'A') as Side,
    sentAt: m.sentAt,
    receivedAt: m.receivedAt,
    // A message the sender's chat never showed (`sent: null`) has no observed send time: its
    // sentAt is when the sender's looks gave up, so it gets no delivery time (that came out
    // negative, e.g. -29 s, for 14 messages of a paper-scale run).
    deliveryMs: m.receivedAt && m.sent !== null ? Date.parse(m.receivedAt) - Date.parse(m.sentAt) : null,
    failure: m.failure,
    detail: m.detail ?? null,
    // Which Android observable gave each time and its bracket (records since the message log was
    // dropped; older ones have none).
    ...(m.sent !== undefined ? { sent: m.sent } : {}),
    ...(m.sentMarker !== undefined ? { sentMarker: m.sentMarker } : {}),
    ...(m.received !== undefined ? { received: m.received } : {}),
  }));
}

/** The files the analysis read or wrote besides the captures: each side's classification (the
 *  stored record's flows are read back from it) and the no-app baselines it compared with. */
function analysisFiles(o: AttemptOutputs): ArtefactRef[] {
  const sides = (o.classification.sides ?? []) as Array<{ classificationRef?: unknown }>;
  return [
    ...sides.flatMap((s) => (typeof s.classificationRef === 'string' ? [{ kind: 'classification', path: s.classificationRef }] : [])),
    ...(o.phones?.baselines ?? []).flatMap((b) => (b.path ? [{ kind: 'baseline', path: b.path }] : [])),
  ];
}

function dedupe(list: ArtefactRef[]): ArtefactRef[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const key = `${a.kind}\n${a.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function buildMeasurementRecord(input: RecordInput): MeasurementRecord {
  const m = input.measurement;
  const o = input.outputs;
  const status: 'ok' | 'failed' = o && input.failure.failure === null ? 'ok' : 'failed';
  const failure: FailureFields = status === 'ok' ? NO_FAILURE : input.failure.failure ? input.failure : { ...NO_FAILURE, failure: 'activity_error', detail: 'no attempt succeeded and none said why' };
  // The successful attempt's artefacts, and the evidence failed attempts kept (failure
  // screenshots and UI dumps, also referenced from their attempt).
  const failedEvidence = input.attempts.flatMap((a) => (a.failure !== null ? (a.artefacts ?? []) : []));
  const artefacts = dedupe([
    ...(o ? [...artefactsOf(o.files), ...artefactsOf(o.capture), ...o.messages.flatMap((msg) => artefactsOf(msg)), ...artefactsOf(o.paths), ...analysisFiles(o)] : []),
    ...failedEvidence,
  ]);
  const record: MeasurementRecord = {
    schema: MEASUREMENT_SCHEMA,
    campaign: m.campaign,
    measurementId: m.measurementId,
    app: m.app,
    status,
    failure: failure.failure,
    failedOperation: failure.failedOperation,
    detail: failure.detail,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    nodeA: { id: m.nodeA.id, country: m.nodeA.country },
    nodeB: { id: m.nodeB.id, country: m.nodeB.country },
    networkPath: { traces: o?.paths.networkPath.traces ?? [] },
    applicationPath: { traces: o?.paths.applicationPath.traces ?? [] },
    ...(input.testbedKind ? { testbedKind: input.testbedKind } : {}),
    testbed: m.testbed,
    workflow: input.workflow,
    attempts: input.attempts,
    messages: o ? messagesOf(o.messages) : [],
    endpoints: o?.classification.endpoints ?? [],
    captures: o?.files.files ?? [],
    flows: o ? (o.classification.sides ?? []) : [],
    phones: o ? (o.phones?.phones ?? []) : [],
    baselines: o ? (o.phones?.baselines ?? []) : [],
    tunnels: o ? (o.tunnels?.tunnels ?? []) : [],
    geolocation: o ? (o.paths.geolocation ?? null) : null,
    traceroute: o ? { backend: o.paths.backend ?? null, networkPort: o.paths.networkPort ?? null } : null,
    artefacts,
    timings: timings(input),
  };
  // Boomerangs, detour countries and IXP crossings of the paths just recorded (null: no paths).
  record.anomalies = o ? pathAnomalies(record) : null;
  return record;
}
