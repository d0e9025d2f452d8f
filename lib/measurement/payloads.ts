/**
 * Inputs and results of the workflows and activities. Pure types (workflow code imports them).
 * Kept small on purpose: they end up in Temporal's event history.
 */
import type { ClassificationResult } from '../classify/types';
import type { FailureCode, FailureFields } from '../failures';
import type { PeeringDbSummary } from '../geo/peeringdb';
import type { ArtefactRef, MeasurementRecord, PlannedMeasurement, Side, TestbedKind, Trace } from '../types';

/** A config file as the worker sees it, plus the digest of the plan read from it. */
export interface ConfigRef {
  /** Path as given (relative paths resolve against the project root on the worker). */
  path: string;
  /** sha256 of the expanded plan: pages of a changed config are refused. */
  digest: string;
  /** Scheduled runs: the run's campaign name (`<campaign id>-<YYYY-MM-DD>[-n]`, see
   *  temporal/schedules.ts) that replaces the config's campaign id in every planned
   *  measurement (campaign field and id). Absent: the config's campaign id, as always. */
  runName?: string;
}

/** One message of the app's sequence: wait (a workflow timer), then send from one phone. */
export interface MessageStep {
  index: number;
  from: Side;
  waitSeconds: number;
  text: string;
}

/** How the traceroutes step traces (the campaign config's `traceroutes`). */
export interface TraceOptions {
  /** 'mda': scamper tracelb (Paris MDA) to every server, every load-balanced branch kept. */
  applicationPaths: 'single-path' | 'mda';
}

/** A planned measurement plus what the workflow needs to run it without reading the config. */
export interface MeasurementSpec extends PlannedMeasurement {
  messages: MessageStep[];
  /** Absent: single-path traces (the default). */
  traceroutes?: TraceOptions;
  /** Seconds to wait after the last message (Fig. 2 "after last message": receipts). */
  settleSeconds?: number;
  /** Seconds the capture keeps running after that (Fig. 2 "capture tail"). */
  captureTailSeconds?: number;
}

/** Whole-attempt retries of a measurement (the campaign config's `retry`). */
export interface AttemptPolicy {
  maxAttempts: number;
  initialIntervalSeconds: number;
  backoffCoefficient: number;
  maxIntervalSeconds: number;
}

/** Knobs a campaign passes to every measurement (tests shrink the timers and timeouts). */
export interface RunOptions {
  /** Multiplies every message wait (1 = as configured, 0 = no waits). */
  timerScale?: number;
  /** Multiplies every activity timeout (floor MIN_TIMEOUT_SECONDS). */
  timeoutScale?: number;
  /** Whole attempts per measurement (saga retries); overrides the config's retry.maxAttempts. */
  maxAttempts?: number;
}

export interface MeasurementInput extends MeasurementSpec {
  config: ConfigRef;
  options?: RunOptions;
  /** From the campaign config; waits between attempts are scaled by timerScale. */
  attempts?: AttemptPolicy;
  /** Set by the campaign lane when the next measurement of this testbed is the same node pair:
   *  after a successful attempt, teardown leaves the tunnels up for it (it checks them before
   *  reusing). Absent = tear everything down, as before. */
  keepTunnelsForNext?: boolean;
}

/* ---- campaign workflow ---- */

export interface CampaignInput {
  /** Campaign YAML (path on the central worker; relative to the project root). */
  config: string;
  options?: RunOptions;
  /** Planned measurements fetched per testbed per page. */
  pageSize?: number;
  /** Continue-as-new after starting this many measurements in one run (besides the history
   *  bounds, workflows/campaign.ts CAMPAIGN_HISTORY_LIMITS). Mostly for tests. */
  continueAsNewAfter?: number;
  /** Skip measurements whose latest record in the results store (finished before the campaign
   *  loaded its plan) is `ok`: a second run only does what is missing or failed. */
  resume?: boolean;
  /** Set by a Temporal Schedule's action (temporal/schedules.ts): the run is a campaign of
   *  its own, named `<campaign id>-<YYYY-MM-DD>` of the time the schedule fired (`-2`, `-3`, ...
   *  when that name is taken already). Absent: the campaign is named by its config, as always. */
  campaignIdSuffix?: 'scheduled-date';
  /** Carried over by continue-as-new; not for callers. */
  carried?: CampaignCarried;
}

/** What a scheduled run tells loadCampaign to name it (taken from replay-safe workflowInfo()). */
export interface ScheduledRunRef {
  /** When the schedule fired (its nominal time; the trigger time of `schedule trigger`), ISO
   *  UTC: its date is the run name's suffix. */
  scheduledAt: string;
  /** The run's own workflow id: names it already uses itself do not count as taken. */
  workflowId: string;
}

/** loadCampaign's input. */
export interface LoadCampaignRequest {
  config: string;
  resume?: boolean;
  /** Scheduled runs only: name the run after the schedule's date. */
  scheduledRun?: ScheduledRunRef;
}

export interface CampaignPlanInfo {
  /** The campaign's name: the config's campaign id, or a scheduled run's name (config.runName). */
  campaign: string;
  /** Scheduled runs: the config's campaign id the run name was made from. */
  configCampaign?: string;
  config: ConfigRef;
  total: number;
  apps: string[];
  testbeds: Array<{ id: string; measurements: number }>;
  attempts?: AttemptPolicy;
  /** `balance: work-stealing`: an idle testbed takes over the end of the busiest one's queue, in
   *  whole units of `unit` measurements where it can (the apps of a node pair). Absent: static. */
  balance?: { unit: number };
  /** With `resume`: measurements of the plan left out because their latest record is ok
   *  (`total` and the per-testbed counts are what remains). */
  skipped?: number;
  /** With `resume`: the cut-off of the store lookup (records finished by then count). Fixed at
   *  load time so every page of the plan filters the same way during the whole campaign. */
  skipOkBefore?: string;
}

export interface PlanPageRequest {
  config: ConfigRef;
  testbed: string;
  offset: number;
  limit: number;
  /** Leave out measurements whose latest record finished by this time is ok (resume). */
  skipOkBefore?: string;
}

/** How a measurement ended; a failed one says what failed (code), in which step, and why. */
export interface MeasurementOutcome extends FailureFields {
  measurementId: string;
  status: 'ok' | 'failed';
}

export interface TestbedProgress {
  id: string;
  /** Measurements this testbed runs in all: `next` finished + what is left in its range. */
  total: number;
  /** Measurements this testbed has finished (its own queue: the offset of the next one). */
  next: number;
  ok: number;
  failed: number;
  running: string | null;
  /** With work stealing, once this testbed took over part of another's queue: the queue and
   *  offset of its next measurement (lib/campaign-balance.ts). Absent: its own queue at `next`. */
  at?: { queue: string; offset: number };
}

export interface CampaignCarried {
  plan: CampaignPlanInfo;
  testbeds: TestbedProgress[];
  /** The latest failures, at most MAX_LISTED_FAILURES (workflows/campaign.ts). */
  failures: MeasurementOutcome[];
  /** Older failures left out of `failures` (absent: none). */
  failuresLeftOut?: number;
  paused: boolean;
  runs: number;
}

export interface CampaignProgress {
  campaign: string;
  config: string;
  state: 'planning' | 'running' | 'paused' | 'done';
  total: number;
  finished: number;
  ok: number;
  failed: number;
  running: string[];
  testbeds: TestbedProgress[];
  /** The latest failures, at most MAX_LISTED_FAILURES (workflows/campaign.ts) (`failed` counts them all). */
  failures: MeasurementOutcome[];
  /** Older failures left out of `failures` (absent: none); the results store has them. */
  failuresLeftOut?: number;
  /** How many workflow runs (continue-as-new) the campaign has used so far. */
  runs: number;
  /** Measurements left out by `resume` (already ok in the results store). */
  skipped?: number;
  /** The testbeds share their work (`balance: work-stealing`): the campaign ends when the work
   *  left, spread over all testbeds, is done, not when the busiest testbed's queue is. */
  workStealing?: true;
}

export interface CampaignSummary {
  campaign: string;
  total: number;
  ok: number;
  failed: number;
  /** The latest failures, at most MAX_LISTED_FAILURES (workflows/campaign.ts) (`failed` counts them all). */
  failures: MeasurementOutcome[];
  /** Older failures left out of `failures` (absent: none); the results store has them. */
  failuresLeftOut?: number;
  runs: number;
  /** Measurements left out by `resume` (already ok in the results store). */
  skipped?: number;
}

/* ---- measurement workflow ---- */

/** One step of an attempt; `failedOperation` is the step itself when it failed. */
export interface StepRecord extends FailureFields {
  step: string;
  startedAt: string;
  finishedAt: string | null;
  /** A failed step's evidence (failure screenshot, UI dump; paths relative to the data folder). */
  artefacts?: ArtefactRef[];
}

/** One whole attempt of a measurement; the failure fields say why it failed. */
export interface AttemptRecord extends FailureFields {
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  steps: StepRecord[];
  cleanedUp: boolean;
  /** A failed attempt's evidence: what its failed step left (failure screenshot, UI dump). */
  artefacts?: ArtefactRef[];
}

export interface MeasurementResult extends MeasurementOutcome {
  attempts: AttemptRecord[];
  /** Captures, screenshots and raw traceroutes of the stored record (paths relative to the data
   *  folder), so the Web UI's result view names them next to the attempts. */
  artefacts?: ArtefactRef[];
}

/* ---- step payloads (lib/measurement/steps.ts declares which step takes and gives which) ---- */

/** What every measurement step gets: who, where, which attempt. No secrets (references only). */
export interface StepContext {
  measurementId: string;
  campaign: string;
  app: string;
  testbed: string;
  attempt: number;
  nodeA: PlannedMeasurement['nodeA'];
  nodeB: PlannedMeasurement['nodeB'];
  config: ConfigRef;
  /** teardown only: leave both tunnels up for the next measurement of the same node pair (the
   *  workflow sets it only after a successful attempt of a measurement with keepTunnelsForNext). */
  keepTunnels?: boolean;
}

/** One side's tunnel from its WLAN router to its vantage node. */
export interface TunnelInfo {
  side: Side;
  node: string;
  /** Tunnel mode: vxlan, gre, ipip, wireguard. */
  kind: string;
  interface?: string;
  nodeInner?: string;
  /** Kernel of the router, as `uname -r` says. */
  kernel?: string;
  /** The tunnel was left up by the previous measurement and checked, not rebuilt. */
  reused?: boolean;
  /** WireGuard: how the router and the node ran it (`kernel` or `wireguard-go <version>`). */
  implementation?: { router: string; node: string };
}

export interface TunnelsInfo {
  tunnels: TunnelInfo[];
  /** Which kind of testbed runs the measurement (reports label emulated data). */
  testbedKind?: TestbedKind;
  /** The emulated world's name, null on a real testbed. */
  world?: string | null;
}

export interface PhoneInfo {
  side: Side;
  serial: string;
  appUid?: number;
  appVersion?: string;
  appVersionCode?: number | null;
  /** The version the app config names (paper Table 1); differs when the device has another. */
  configuredVersion?: string;
  /** The version the campaign pins (its apps entry `{ file, version }`); appVersion equals it. */
  pinnedVersion?: string;
  model?: string;
  androidVersion?: string;
  location?: { latitude: number; longitude: number; method: string };
  /** The phone clock's offset to the controller, measured while configuring (absent in older records). */
  clock?: PhoneClock;
}

/** A phone clock against the controller's (drivers/phone/clock.ts). */
export interface PhoneClock {
  /** Phone minus controller, ms (positive: the phone is ahead); every phone time in the record is corrected by it. */
  offsetMs: number;
  /** The offset is good to ±uncertaintyMs (half the best adb round trip plus the clock's precision). */
  uncertaintyMs: number;
  /** What the phone's clock reports: `ns` (date +%s%N), `us` (mksh $EPOCHREALTIME), `s` (date +%s). */
  precision: 'ns' | 'us' | 's';
  roundTripMs: number;
  samples: number;
  /** Controller clock. */
  measuredAt: string;
}

export type PhoneClocks = Partial<Record<Side, PhoneClock>>;

/** Which Android observable showed a message (drivers/phone: chat.ts, notifications.ts). */
export type MessageObservable = 'chat-bubble' | 'chat-status-marker' | 'notification';

/**
 * When a phone showed a message, on the controller clock: `at` is the phone clock at the look
 * that first showed it, corrected by the phone's offset; the message appeared within
 * [notBefore, notAfter] (from the last look without it, or the send step's start, to the end of
 * the look with it), widened by the offset's uncertainty.
 */
export interface ObservedTime {
  at: string;
  observable: MessageObservable;
  notBefore: string;
  notAfter: string;
}

/** The no-app baseline capture of one node (classification drops what it shows). */
export interface BaselineInfo {
  node: string;
  /** Relative to the data folder. */
  path: string | null;
  /** Taken by this step (false: reused from the cache). */
  taken: boolean;
  /** Why the last try failed (`<code>: <detail>`; null: a baseline is there). */
  failure: string | null;
  /** Failures of the tries before the last one, oldest first. */
  earlierFailures: string[];
}

export interface PhonesInfo {
  phones: PhoneInfo[];
  baselines?: Array<BaselineInfo & { side: Side }>;
}

/** What the router driver needs to find a running tcpdump again (no secrets, remote paths). */
export interface RouterCapture {
  id: string;
  interface: string;
  remoteFile: string;
  pidFile: string;
  logFile: string;
  pid: number;
  startedAt: string;
}

/** The captures running on both WLAN routers of a testbed (startCapture's result). */
export interface RunningCapture {
  captureId: string;
  startedAt: string;
  handles?: Record<Side, RouterCapture>;
  /** Screenshots of opening the chat. */
  artefacts?: ArtefactRef[];
}

export interface MessageSent {
  index: number;
  from: Side;
  sentAt: string;
  receivedAt: string | null;
  /** `message_not_received` when the receiver never showed it; the measurement goes on. */
  failure: FailureCode | null;
  detail?: string | null;
  artefacts?: ArtefactRef[];
  /** Who typed the text: the phone driver's `input text`, or null when the UI steps had no text. */
  typedWith?: string | null;
  /** Where sentAt/receivedAt come from (absent in records from before the Android observables). */
  sent?: ObservedTime | null;
  /** The app's sent marker (e.g. WhatsApp's tick) first shown; null when the app shows none or it never came. */
  sentMarker?: ObservedTime | null;
  received?: ObservedTime | null;
}

/** Capture files copied to the central artefacts store (paths relative to it). */
export interface CaptureFiles {
  files: Array<{ side: Side; path: string; bytes: number }>;
  packets?: Record<Side, number>;
  artefacts?: ArtefactRef[];
}

/** A server the traceroutes aim at: a service endpoint or a server the phone itself opened. */
export interface TracerouteTarget {
  ip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  name?: string | null;
  names?: string[];
  classes?: string[];
}

/** What the record keeps of one side's classification (flows without per-packet times). */
export interface SideClassification {
  side: Side;
  capture: string;
  packets: number;
  baseline: string | null;
  counts: ClassificationResult['counts'];
  flows: Array<{ key: string; class: string; reason: string; names: string[]; packets: number; bytes: number; firstSeen: string; lastSeen: string; carriedMessages: number[] }>;
  endpoints: ClassificationResult['endpoints'];
  /** Servers of unclassified flows the phone itself opened (traced too). */
  unknownServers: Array<{ ip: string; port: number; protocol: 'tcp' | 'udp'; names: string[] }>;
  messages: ClassificationResult['messages'];
}

/**
 * What classifyFlows returns of one side (and what workflow history carries): the counts and a
 * reference to the side's full classification (a SideClassification as JSON, written under the
 * attempt's artefact folder). persistRecord puts the full classification back into the stored
 * record (activities/record-refs.ts), so history stays small however many flows a capture has.
 */
export interface SideSummary {
  side: Side;
  capture: string;
  packets: number;
  baseline: string | null;
  counts: ClassificationResult['counts'];
  /** Number of flows of the side (the flows themselves are in the referenced file). */
  flowCount: number;
  /** The SideClassification JSON file, relative to the data folder. */
  classificationRef: string;
}

export interface Classification {
  endpoints: TracerouteTarget[];
  sides?: SideSummary[];
}

export interface Paths {
  networkPath: { traces: Trace[] };
  applicationPath: { traces: Trace[] };
  /** Raw traceroute output files. */
  artefacts?: ArtefactRef[];
  /** Destination port of the network-path traces. */
  networkPort?: number;
  /** The traceroute tool: scamper or traceroute. */
  backend?: string;
  /** Geolocation provenance (the geolocate step adds it). */
  geolocation?: GeolocationInfo | null;
}

export interface GeolocationInfo {
  correctionsFiles: string[];
  /** The databases in the order consulted; `attribution` absent in records written before it. */
  sources: { corrections: number; databases: Array<{ source: string; databaseDate: string | null; attribution?: string | null }> };
  /** Licence attributions of the databases that placed a hop of this record (absent in older records). */
  attributions?: string[];
  /** The campaign's `geo.m49` / `geo.interestGroups` files (absolute; null: the shipped tables),
   *  so that `report --campaign` uses the tables the campaign chose (absent in older records). */
  tables?: { m49: string | null; interestGroups: string | null };
  rttSources: Record<Side, { latitude: number; longitude: number }>;
  /** PeeringDB dumps behind the hops' IXP marks, each with its counts, data date and attribution
   *  (lib/geo/peeringdb.ts PeeringDbSummary); absent when no dump was configured. */
  peeringdb?: PeeringDbSummary[];
  /** The AS tables in the order they were consulted (absent in records written before them). */
  asSources?: AsSourcesInfo;
}

/** One AS table's provenance: AsInfo.source label, data date, and the attribution its licence asks for. */
export interface AsSourceInfo {
  source: string;
  databaseDate: string | null;
  attribution: string;
}

export interface AsSourcesInfo {
  /** corrections entries with AS fields */
  asCorrections: number;
  asn: AsSourceInfo[];
  registration: AsSourceInfo[];
}

export interface PersistResult {
  stored: string;
  /** Which interest groups (the record's table: geo.interestGroups) can access each path of an
   *  ok record, by the report's rules (lib/workflow-text/access.ts); the workflow's details say
   *  it. Absent for a failed record, or when the table could not be read. */
  access?: GroupAccess[];
}

/** One interest group and whether a path crosses one of its members (lib/report/areas.ts accessibleTo). */
export interface GroupAccess {
  group: string;
  application: boolean;
  network: boolean;
}

export type { MeasurementRecord };

/* ---- drift (a campaign run compared with the previous one; lib/drift, activities/drift.ts) ---- */

export interface DriftRequest {
  /** The campaign config (path on the central worker): its `alerts.webhook` is looked up there. */
  config: string;
  /** The run's campaign id (a scheduled run's dated name, or the config's id). */
  campaign: string;
  /** Scheduled runs: the config's campaign id. */
  configCampaign?: string;
  /** When the campaign workflow (chain) started: an unscheduled re-run's previous run is the
   *  campaign's records finished before it. */
  startedAt: string;
}

export interface DriftOutcome {
  configCampaign: string;
  /** Labels of the compared runs (store/drift.ts keys); previous null: nothing to compare with. */
  run: string;
  previous: string | null;
  alerts: number;
  /** Alerts new in the store (0 when this run pair was compared before). */
  added: number;
  /** Up to MAX_DRIFT_LINES alert texts (terminal-escaped), then `... and N more`. */
  lines: string[];
  /** Whether the campaign config names a webhook (the URL itself never travels in history). */
  webhook: boolean;
}

export interface DriftWebhookRequest {
  config: string;
  configCampaign: string;
  runA: string;
  runB: string;
}

export interface DriftWebhookResult {
  /** The URL redacted (scheme and host). */
  url: string;
  status: 'delivered' | 'delivered before';
  alerts: number;
}
