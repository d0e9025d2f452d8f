/**
 * The published JSON Schema (draft 2020-12) of `matador.measurement/v1` (DESIGN 4.1): the
 * contract fields, required, and every optional field the record builder (lib/record/index.ts)
 * and persistRecord write, typed but optional, so records written before a field existed still
 * validate. Declared against the TypeScript interfaces (lib/schema/dsl.ts `object<T>()`): tsc
 * refuses this file when an interface gains, loses or makes required a field the schema does not
 * follow. `matador dataset schema` prints it; lib/record/schema.test.ts validates every golden
 * and e2e record against it, and checks that what the readers (lib/report/parse.ts) refuse, the
 * schema refuses too.
 */
import type {
  AsSourceInfo,
  AsSourcesInfo,
  AttemptRecord,
  BaselineInfo,
  CaptureFiles,
  GeolocationInfo,
  ObservedTime,
  PhoneClock,
  PhoneInfo,
  SideClassification,
  SideSummary,
  StepRecord,
  TracerouteTarget,
  TunnelInfo,
} from '../measurement/payloads';
import type { PeeringDbSummary } from '../geo/peeringdb';
import { MEASUREMENT_SCHEMA, type ArtefactRef, type AsInfo, type Boomerang, type GeoProvenance, type Hop, type HopInterface, type IxpMark, type MeasurementRecord, type NodeRef, type PathAnomalies, type Trace } from '../types';
import { anyObject, anyOf, array, boolean, constant, country, dateTime, integer, nonEmpty, nullable, number, object, oneOf, record, string, type JsonSchema } from '../schema/dsl';
import type { RecordMessage, RecordTimings } from './index';

export const MEASUREMENT_SCHEMA_ID = 'urn:matador:schema:measurement:v1';

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const side = oneOf(['A', 'B']);
const failureCode = (what: string) => nullable(string(`${what}: a code of the failure catalogue (lib/failures.ts), null when it did not fail; exports written before the catalogue hold "<code>: <step>: <detail>"`));

const geoProvenance = object<GeoProvenance>()(
  {
    source: string("who placed the address: 'corrections' | 'package:<npm package>' | 'mmdb:<file>' | 'ip2location:<file>' | 'geoip-lite' | 'none'"),
    databaseDate: nullable(string('build date of the data (ISO date); null when unknown')),
    corrected: boolean('the country came from the corrections overlay'),
    plausible: nullable(boolean('RTT plausibility check; null when not checkable')),
    claimedCountry: nullable(string('what the database said before plausibility nulled it')),
    city: nullable(string()),
  },
  ['source', 'databaseDate', 'corrected', 'plausible'],
);

const asInfo = object<AsInfo>()(
  {
    asn: nullable(integer('null: no source knows the address')),
    name: nullable(string()),
    registrationCountry: nullable(country('where the address block is registered (RIR data): a legal home, not a location')),
    source: string("'corrections' | 'package:<npm package>' | 'csv:<file>' | 'none'"),
    databaseDate: nullable(string()),
    registrationSource: string(),
    registrationDate: nullable(string()),
  },
  ['asn', 'name', 'registrationCountry', 'source', 'databaseDate'],
  { description: 'the AS of the address by an IP-to-ASN table or the corrections (not the traceroute tool: that is asn)' },
);

const ixpMark = object<IxpMark>()(
  {
    ixId: integer('PeeringDB ix.id'),
    name: string(),
    country: nullable(country('PeeringDB ix.country when it is an ISO 3166-1 alpha-2 code; null otherwise')),
    city: nullable(string()),
    prefix: string('the peering LAN prefix the address lies in'),
    source: string('the PeeringDB dump (file name)'),
  },
  ['ixId', 'name', 'country', 'city', 'prefix', 'source'],
  { description: 'the Internet exchange whose peering LAN holds the address' },
);

const rtts = array(number(), 'round-trip times in ms, one per answered probe');

const hopInterface = object<HopInterface>()(
  { ip: string(), rttMs: rtts, country: nullable(string()), geo: ref('GeoProvenance'), asn: integer(), as: ref('AsInfo'), ixp: nullable(ref('IxpMark')) },
  // Records before per-interface times have otherIps only; the reader takes interfaces without
  // rttMs or country, so the schema does too.
  ['ip'],
  { description: 'another address that answered at the same TTL (a load-balanced branch)', lenient: ['rttMs', 'country'] },
);

const hop = object<Hop>()(
  {
    ttl: integer(),
    ip: nullable(string('the address that answered; null: no answer')),
    rttMs: rtts,
    country: nullable(string('ISO 3166-1 alpha-2 (or XK); null: unknown')),
    otherIps: array(string()),
    otherInterfaces: array(ref('HopInterface')),
    marks: array(string(), 'traceroute annotations such as !H !N !X'),
    geo: ref('GeoProvenance'),
    asn: integer('AS number the traceroute tool printed (0: its lookup found none)'),
    as: ref('AsInfo'),
    ixp: nullable(ref('IxpMark')),
  },
  ['ttl', 'ip', 'rttMs', 'country'],
);

const trace = object<Trace>()(
  {
    from: side,
    target: string('the address traced to'),
    protocol: oneOf(['tcp', 'udp', 'icmp']),
    port: nullable(integer()),
    hops: array(ref('Hop')),
    targetName: nullable(string('DNS or SNI name of the target')),
    tool: oneOf(['scamper', 'traceroute']),
    method: oneOf(['trace', 'tracelb'], "scamper's command: trace (Paris) or tracelb (Paris MDA, every branch)"),
    failure: failureCode('why the trace could not be measured'),
    detail: nullable(string()),
    asPath: array(nullable(integer()), 'the ASes of the hops in order, duplicates and gaps (null) collapsed'),
  },
  ['from', 'target', 'protocol', 'port', 'hops'],
);

const path = (what: string) => object<{ traces: Trace[] }>()({ traces: array(ref('Trace')) }, ['traces'], { description: what });

const boomerang = object<Boomerang>()(
  { path: oneOf(['network', 'application']), from: side, target: string(), country: country('the nodes\' country'), via: array(country(), 'countries outside it, in order of first appearance') },
  ['path', 'from', 'target', 'country', 'via'],
);

const anomalies = object<PathAnomalies>()(
  {
    boomerangs: array(ref('Boomerang')),
    detourCountries: array(country(), 'application-path countries neither on the network path nor a node\'s'),
    ixpCrossings: array(
      object<PathAnomalies['ixpCrossings'][number]>()({ path: oneOf(['network', 'application']), ixId: integer(), name: string(), country: nullable(country()) }, ['path', 'ixId', 'name', 'country']),
    ),
  },
  ['boomerangs', 'detourCountries', 'ixpCrossings'],
);

const artefact = object<ArtefactRef>()(
  {
    kind: string("'capture' | 'screenshot' | 'traceroute-raw' | 'ui-dump' | 'classification' | 'baseline' | ..."),
    path: string("relative to the data folder: the testbed's where it was written, the same path under the central artefact folder"),
    bytes: nullable(integer('size of the testbed\'s file (null: the testbed could not read it); records since artefact shipping')),
    sha256: nullable(string('sha256 (hex) of the testbed\'s file')),
    testbed: string('the testbed whose data folder it was written in'),
    present: boolean('the central artefact folder holds it with this size and sha256'),
    failure: failureCode('why it is not present centrally'),
    detail: nullable(string()),
  },
  ['kind', 'path'],
);
const artefacts = array(ref('ArtefactRef'));
const node = object<NodeRef>()({ id: nonEmpty(), country: country() }, ['id', 'country']);

/** The failure fields of a step or an attempt (old exports: one string in `failure`). */
const failureFields = { failure: failureCode('why it failed'), failedOperation: nullable(string()), detail: nullable(string()) };

const step = object<StepRecord>()({ step: string(), startedAt: dateTime(), finishedAt: nullable(dateTime()), artefacts, ...failureFields }, ['step', 'startedAt', 'finishedAt', 'failure'], { lenient: ['failedOperation', 'detail'] });
const attempt = object<AttemptRecord>()(
  { attempt: integer(), startedAt: dateTime(), finishedAt: nullable(dateTime()), steps: array(step), cleanedUp: boolean(), artefacts, ...failureFields },
  ['attempt', 'startedAt', 'finishedAt', 'steps', 'failure'],
  { lenient: ['cleanedUp', 'failedOperation', 'detail'] },
);

const observed = object<ObservedTime>()(
  { at: dateTime(), observable: oneOf(['chat-bubble', 'chat-status-marker', 'notification']), notBefore: dateTime(), notAfter: dateTime() },
  ['at', 'observable', 'notBefore', 'notAfter'],
  { description: 'when a phone showed the message (controller clock) and its bracket' },
);
const message = object<RecordMessage>()(
  {
    index: integer(),
    from: side,
    to: side,
    sentAt: dateTime(),
    receivedAt: nullable(dateTime()),
    deliveryMs: nullable(number()),
    failure: failureCode('message_not_received when the receiver never showed it'),
    detail: nullable(string()),
    sent: nullable(observed),
    sentMarker: nullable(observed),
    received: nullable(observed),
  },
  ['index', 'from', 'sentAt', 'receivedAt', 'failure'],
  { lenient: ['to', 'deliveryMs', 'detail'] },
);

const endpoint = object<TracerouteTarget>()(
  { ip: string(), port: integer(), protocol: oneOf(['tcp', 'udp']), name: nullable(string()), names: array(string()), classes: array(string()) },
  ['ip', 'port', 'protocol'],
  { description: 'a server the application traceroutes aimed at' },
);
const capture = object<CaptureFiles['files'][number]>()({ side, path: string(), bytes: integer() }, ['side', 'path', 'bytes']);

const flowClassCounts = record(integer(), 'flows per class: messaging, app-background, noise, unknown');
const sideCommon = { side, capture: string(), packets: integer(), baseline: nullable(string()), counts: flowClassCounts };
const sideSummary = object<SideSummary>()(
  { ...sideCommon, flowCount: integer(), classificationRef: string('the side classification JSON, relative to the data folder') },
  ['side', 'capture', 'packets', 'baseline', 'counts', 'flowCount', 'classificationRef'],
);
const sideClassification = object<SideClassification>()(
  {
    ...sideCommon,
    flows: array(
      object<SideClassification['flows'][number]>()(
        { key: string(), class: string(), reason: string(), names: array(string()), packets: integer(), bytes: integer(), firstSeen: string(), lastSeen: string(), carriedMessages: array(integer()) },
        ['key', 'class', 'reason', 'packets', 'bytes'],
        { lenient: ['names', 'firstSeen', 'lastSeen', 'carriedMessages'] },
      ),
    ),
    endpoints: array(anyObject('a service endpoint of the side (lib/classify/types.ts ServiceEndpoint)')),
    unknownServers: array(anyObject('a server of an unclassified flow the phone opened')),
    messages: array(anyObject('which flow carried each message (lib/classify/types.ts MessageAttribution)')),
  },
  ['side', 'capture', 'packets', 'baseline', 'counts', 'flows'],
  { lenient: ['endpoints', 'unknownServers', 'messages'] },
);

const clock = object<PhoneClock>()(
  { offsetMs: number('phone minus controller'), uncertaintyMs: number(), precision: oneOf(['ns', 'us', 's']), roundTripMs: number(), samples: integer(), measuredAt: dateTime() },
  ['offsetMs', 'uncertaintyMs', 'precision', 'roundTripMs', 'samples', 'measuredAt'],
);
const phone = object<PhoneInfo>()(
  {
    side,
    serial: string(),
    appUid: integer(),
    appVersion: string('the version found on the device'),
    appVersionCode: nullable(integer()),
    configuredVersion: string(),
    pinnedVersion: string(),
    model: string(),
    androidVersion: string(),
    location: object<NonNullable<PhoneInfo['location']>>()({ latitude: number(), longitude: number(), method: string() }, ['latitude', 'longitude', 'method']),
    clock,
  },
  ['side', 'serial'],
);
const baseline = object<BaselineInfo & { side: 'A' | 'B' }>()(
  { side, node: string(), path: nullable(string()), taken: boolean(), failure: nullable(string()), earlierFailures: array(string()) },
  ['side', 'node', 'path', 'taken', 'failure'],
  { lenient: ['earlierFailures'], description: "the no-app baseline capture of a side's node" },
);
const tunnel = object<TunnelInfo>()(
  {
    side,
    node: string(),
    kind: string('vxlan | gre | ipip | wireguard'),
    interface: string(),
    nodeInner: string(),
    kernel: string(),
    reused: boolean(),
    implementation: object<NonNullable<TunnelInfo['implementation']>>()({ router: string(), node: string() }, ['router', 'node']),
  },
  ['side', 'node', 'kind'],
);

const asSource = object<AsSourceInfo>()({ source: string(), databaseDate: nullable(string()), attribution: string() }, ['source', 'databaseDate', 'attribution']);
const geolocation = object<GeolocationInfo>()(
  {
    correctionsFiles: array(string()),
    sources: object<GeolocationInfo['sources']>()(
      {
        corrections: integer(),
        databases: array(object<GeolocationInfo['sources']['databases'][number]>()({ source: string(), databaseDate: nullable(string()), attribution: nullable(string()) }, ['source', 'databaseDate'])),
      },
      ['corrections', 'databases'],
    ),
    attributions: array(string(), 'licence attributions of the databases that placed a hop'),
    tables: object<NonNullable<GeolocationInfo['tables']>>()({ m49: nullable(string()), interestGroups: nullable(string()) }, ['m49', 'interestGroups']),
    rttSources: record(object<{ latitude: number; longitude: number }>()({ latitude: number(), longitude: number() }, ['latitude', 'longitude']), 'per side, where the RTT plausibility check measures from'),
    peeringdb: array(
      object<PeeringDbSummary>()(
        { file: string(), ixps: integer(), prefixes: integer(), skipped: anyObject('entries of the dump left out, by reason'), dataDate: nullable(string()), attribution: string() },
        ['file', 'ixps', 'prefixes', 'skipped', 'dataDate', 'attribution'],
      ),
    ),
    asSources: object<AsSourcesInfo>()({ asCorrections: integer(), asn: array(asSource), registration: array(asSource) }, ['asCorrections', 'asn', 'registration']),
  },
  ['correctionsFiles', 'sources', 'rttSources'],
  { description: 'which geolocation sources the geolocate step consulted' },
);

const seconds = nullable(number());
const timings = object<RecordTimings>()(
  {
    configuredWaitSeconds: number('the Fig. 2 waits as configured, scaled'),
    wallSeconds: seconds,
    attemptSeconds: seconds,
    overheadSeconds: nullable(number('what the steps cost beyond the waits')),
    steps: array(object<RecordTimings['steps'][number]>()({ step: string(), seconds }, ['step', 'seconds'])),
  },
  ['configuredWaitSeconds', 'wallSeconds', 'attemptSeconds', 'overheadSeconds', 'steps'],
);

/** The fields the record builder writes beside the MeasurementRecord interface (its `[extra]`). */
interface RecordExtras {
  testbed: string;
  attempts: AttemptRecord[];
  messages: RecordMessage[];
  endpoints: TracerouteTarget[];
  captures: CaptureFiles['files'];
  flows: Array<SideSummary | SideClassification>;
  phones: PhoneInfo[];
  baselines: NonNullable<import('../measurement/payloads').PhonesInfo['baselines']>;
  tunnels: TunnelInfo[];
  geolocation: GeolocationInfo | null;
  traceroute: { backend: string | null; networkPort: number | null } | null;
  timings: RecordTimings;
}

const measurement = object<MeasurementRecord & Partial<RecordExtras>>()(
  {
    schema: constant(MEASUREMENT_SCHEMA),
    campaign: nonEmpty(),
    measurementId: nonEmpty('`<campaign>/<app>/<nodeA>/<nodeB>`'),
    app: nonEmpty(),
    status: oneOf(['ok', 'failed']),
    failure: failureCode('why the measurement failed'),
    failedOperation: nullable(string('the step that failed, e.g. sendMessage#2')),
    detail: nullable(string('what happened, for people')),
    startedAt: dateTime(),
    finishedAt: dateTime(),
    nodeA: ref('NodeRef'),
    nodeB: ref('NodeRef'),
    networkPath: path('traceroutes between the vantage nodes'),
    applicationPath: path("traceroutes from each node to the app's servers"),
    testbedKind: oneOf(['emulated', 'real'], 'emulated: the namespace world (DESIGN 5), never a real-network measurement'),
    workflow: object<NonNullable<MeasurementRecord['workflow']>>()({ workflowId: string(), runId: string() }, ['workflowId', 'runId']),
    artefacts,
    anomalies: nullable(ref('PathAnomalies')),
    testbed: string('testbed id'),
    attempts: array(attempt),
    messages: array(message),
    endpoints: array(endpoint),
    captures: array(capture),
    flows: array(anyOf([sideClassification, sideSummary], "per side: the full classification (stored records and exports) or, in the workflow's copy, a summary with classificationRef")),
    phones: array(phone),
    baselines: array(baseline),
    tunnels: array(tunnel),
    geolocation: nullable(geolocation),
    traceroute: nullable(object<NonNullable<RecordExtras['traceroute']>>()({ backend: nullable(string()), networkPort: nullable(integer()) }, ['backend', 'networkPort'])),
    timings,
  },
  ['schema', 'campaign', 'measurementId', 'app', 'status', 'failure', 'startedAt', 'finishedAt', 'nodeA', 'nodeB', 'networkPath', 'applicationPath'],
);

/** `matador.measurement/v1` as a JSON Schema document (one record = one JSON line). */
export function measurementRecordSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: MEASUREMENT_SCHEMA_ID,
    title: MEASUREMENT_SCHEMA,
    description:
      'One measurement of MATAdOR (DESIGN 4.1), one JSON object per line. Objects are open: v1 grows by optional fields, so unknown properties are allowed and the known ones are typed; fields absent in records written before them are optional. Unknown values are null, never guessed.',
    ...measurement,
    $defs: { NodeRef: node, Trace: trace, Hop: hop, HopInterface: hopInterface, GeoProvenance: geoProvenance, AsInfo: asInfo, IxpMark: ixpMark, ArtefactRef: artefact, PathAnomalies: anomalies, Boomerang: boomerang },
  };
}
