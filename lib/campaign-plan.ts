/**
 * Campaign plan: a loaded campaign (lib/config `loadCampaign`) expanded into the list of
 * measurements — every app x every unordered node pair INCLUDING each node with itself (the
 * in-country measurement), as in the paper (28 nodes -> 28*29/2 = 406 pairs per app).
 *
 * Pure and deterministic: same input, same plan, same order; no I/O and only type imports, so
 * it can run in an activity or inside Temporal workflow code.
 *
 * Order: pairs in node order (i <= j: (0,0), (0,1), ..., (0,n-1), (1,1), ...), and for each pair
 * the apps in campaign order; measurement ids `<campaign>/<app>/<nodeA>/<nodeB>`.
 * Testbeds: `assignment: pair` puts all apps of a pair on one testbed, pairs round-robin
 * (tunnels to the two nodes are set up once per pair); `measurement` round-robins measurements.
 * Either way the counts per testbed differ by at most one pair (or one measurement).
 */
import type { CampaignFile, LoadedApp, LoadedCampaign, LoadedGeo, MessagingTimers, RetrySettings, TestbedConfig } from './config';
import type { TraceOptions } from './measurement/payloads';
import type { CountryInfo, PlannedMeasurement, PlannedNode } from './types';

export const PLAN_SCHEMA = 'matador.plan/v1';

export type AreaLevel = 'region' | 'subregion' | 'intermediate';
export const AREA_LEVELS: readonly AreaLevel[] = ['region', 'subregion', 'intermediate'];

export interface PlannedApp {
  id: string;
  displayName: string;
  file: string;
  /** the app config as measurements use it: timers already multiplied by the campaign's timerScale */
  config: LoadedApp;
  /** the timers as written in the app file */
  configuredTimers: MessagingTimers;
  /** seconds of capture per measurement from the (scaled) timers: before + (n-1) x between + after + tail */
  messagingSec: number;
}

export interface NodePair {
  /** position in `pairs` */
  index: number;
  nodeA: string;
  nodeB: string;
  /** both users in the same place (nodeA === nodeB) */
  self: boolean;
  testbed: string | null; // set when assignment is 'pair'
}

export interface PlannedTestbed {
  id: string;
  kind: TestbedConfig['kind'];
  measurements: number;
  config: TestbedConfig;
}

/** Counts for one M49 area: a pair belongs to the area when both its nodes lie in it. */
export interface AreaCount {
  level: AreaLevel;
  area: string;
  /** the area this one lies in (subregion -> region, intermediate -> subregion); null for regions */
  parent: string | null;
  nodes: number;
  pairs: number;
  selfPairs: number;
  /** pairs x apps */
  measurements: number;
}

export interface Plan {
  schema: typeof PLAN_SCHEMA;
  campaign: {
    id: string;
    description: string | null;
    file: string;
    timerScale: number;
    assignment: 'pair' | 'measurement';
    /** Only when not the default `nodes` (plans of configs without it keep their digest). */
    pairOrder?: 'spread';
    /** Only when not the default `static` (plans of configs without it keep their digest). */
    balance?: 'work-stealing';
    retry: RetrySettings;
    traceroutes: CampaignFile['traceroutes'];
    geo: LoadedGeo;
  };
  apps: PlannedApp[];
  nodes: PlannedNode[];
  testbeds: PlannedTestbed[];
  pairs: NodePair[];
  selfPairs: number;
  measurements: PlannedMeasurement[];
  /** by level (region, subregion, intermediate), then area name */
  areas: AreaCount[];
  /** M49 areas of the nodes' countries (from the loaded campaign) */
  countries: Record<string, CountryInfo>;
}

function scaleTimers(t: MessagingTimers, scale: number): MessagingTimers {
  // Rounded to milliseconds so that 0.05 x 20 s is 1 s and not 1.0000000000000002 s.
  const s = (v: number) => Math.round(v * scale * 1000) / 1000;
  return {
    beforeFirstMessageSec: s(t.beforeFirstMessageSec),
    betweenMessagesSec: s(t.betweenMessagesSec),
    afterLastMessageSec: s(t.afterLastMessageSec),
    captureTailSec: s(t.captureTailSec),
  };
}

function planApp(app: LoadedApp, timerScale: number): PlannedApp {
  const timers = scaleTimers(app.timers, timerScale);
  const messagingSec =
    timers.beforeFirstMessageSec + Math.max(0, app.message.count - 1) * timers.betweenMessagesSec + timers.afterLastMessageSec + timers.captureTailSec;
  return {
    id: app.id,
    displayName: app.displayName,
    file: app.file,
    config: { ...app, timers },
    configuredTimers: app.timers,
    messagingSec: Math.round(messagingSec * 1000) / 1000,
  };
}

function planNode(n: LoadedCampaign['nodes'][number]): PlannedNode {
  return { id: n.id, country: n.country, ...(n.city ? { city: n.city } : {}), latitude: n.latitude, longitude: n.longitude };
}

function areaOf(info: CountryInfo | undefined, level: AreaLevel): { area: string; parent: string | null } | null {
  if (!info) return null;
  if (level === 'region') return info.region ? { area: info.region, parent: null } : null;
  if (level === 'subregion') return info.subregion ? { area: info.subregion, parent: info.region } : null;
  return info.intermediateRegion ? { area: info.intermediateRegion, parent: info.subregion } : null;
}

/** Nodes per area at every level; pairs inside an area of n nodes = n (n + 1) / 2. */
export function areaCounts(nodes: readonly PlannedNode[], countries: Record<string, CountryInfo>, appCount: number): AreaCount[] {
  const out: AreaCount[] = [];
  for (const level of AREA_LEVELS) {
    const byArea = new Map<string, { parent: string | null; nodes: number }>();
    for (const node of nodes) {
      const a = areaOf(countries[node.country], level);
      if (!a) continue;
      const entry = byArea.get(a.area) ?? { parent: a.parent, nodes: 0 };
      entry.nodes += 1;
      byArea.set(a.area, entry);
    }
    const names = [...byArea.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (const area of names) {
      const { parent, nodes: n } = byArea.get(area)!;
      const pairs = (n * (n + 1)) / 2;
      out.push({ level, area, parent, nodes: n, pairs, selfPairs: n, measurements: pairs * appCount });
    }
  }
  return out;
}

/**
 * 0..n-1 in steps of the whole number nearest n / golden ratio that has no factor in common with
 * n (so every index comes once): neighbours in the nested order (a node's pairs) land about n/3
 * apart and spread evenly, whatever n is.
 */
export function spreadOrder(n: number): number[] {
  if (n <= 2) return Array.from({ length: n }, (_, k) => k);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const ideal = n / ((1 + Math.sqrt(5)) / 2);
  let stride = 1;
  for (let d = 0; d < n; d++) {
    const candidates = [Math.round(ideal) - d, Math.round(ideal) + d].filter((c) => c >= 1 && c < n && gcd(c, n) === 1);
    if (candidates.length > 0) {
      stride = candidates[0];
      break;
    }
  }
  return Array.from({ length: n }, (_, k) => (k * stride) % n);
}

export function expandPlan(loaded: LoadedCampaign): Plan {
  const { campaign } = loaded;
  const apps = loaded.apps.map((a) => planApp(a, campaign.timerScale));
  const nodes = loaded.nodes.map(planNode);
  const testbeds = loaded.testbeds;
  if (testbeds.length === 0) throw new Error(`campaign ${campaign.id}: no testbeds to run on`);

  const pairs: NodePair[] = [];
  const measurements: PlannedMeasurement[] = [];
  const perTestbed = new Map<string, number>(testbeds.map((t) => [t.id, 0]));
  const nested: Array<[number, number]> = [];
  for (let i = 0; i < nodes.length; i++) for (let j = i; j < nodes.length; j++) nested.push([i, j]);
  const order = campaign.pairOrder === 'spread' ? spreadOrder(nested.length) : nested.map((_, k) => k);
  for (const k of order) {
    const [i, j] = nested[k];
    const index = pairs.length;
    const pairTestbed = campaign.assignment === 'pair' ? testbeds[index % testbeds.length].id : null;
    pairs.push({ index, nodeA: nodes[i].id, nodeB: nodes[j].id, self: i === j, testbed: pairTestbed });
    for (const app of apps) {
      const testbed = pairTestbed ?? testbeds[measurements.length % testbeds.length].id;
      perTestbed.set(testbed, (perTestbed.get(testbed) ?? 0) + 1);
      measurements.push({
        measurementId: `${campaign.id}/${app.id}/${nodes[i].id}/${nodes[j].id}`,
        campaign: campaign.id,
        app: app.id,
        nodeA: nodes[i],
        nodeB: nodes[j],
        testbed,
      });
    }
  }

  return {
    schema: PLAN_SCHEMA,
    campaign: {
      id: campaign.id,
      description: campaign.description ?? null,
      file: loaded.file,
      timerScale: campaign.timerScale,
      assignment: campaign.assignment,
      ...(campaign.pairOrder === 'spread' ? { pairOrder: 'spread' as const } : {}),
      ...(campaign.balance === 'work-stealing' ? { balance: 'work-stealing' as const } : {}),
      retry: campaign.retry,
      traceroutes: campaign.traceroutes,
      geo: loaded.geo,
    },
    apps,
    nodes,
    testbeds: testbeds.map((t) => ({ id: t.id, kind: t.kind, measurements: perTestbed.get(t.id) ?? 0, config: t })),
    pairs,
    selfPairs: pairs.filter((p) => p.self).length,
    measurements,
    areas: areaCounts(nodes, loaded.countries, apps.length),
    countries: loaded.countries,
  };
}

/** `balance: work-stealing` as the campaign workflow takes it: stolen in units of a node pair's
 *  apps when they run back to back on one testbed (`assignment: pair`: they share tunnels). */
export function planBalance(plan: Plan): { unit: number } | undefined {
  if (plan.campaign.balance !== 'work-stealing') return undefined;
  return { unit: plan.campaign.assignment === 'pair' ? plan.apps.length : 1 };
}

/* ---- the message sequence of one measurement (what the measurement workflow runs) ---- */

/** One message: wait `waitSeconds` (a workflow timer), then phone `from` sends `text`. */
export interface PlannedMessage {
  /** 0-based position in the sequence (`${index}` in the text is 1-based, for people) */
  index: number;
  from: 'A' | 'B';
  waitSeconds: number;
  text: string;
}

/**
 * The app's messages with the (scaled) Fig. 2 timers: the first waits beforeFirstMessageSec,
 * each further one betweenMessagesSec. Texts have `${index}` (1-based), `${count}`, `${side}`
 * (the sender) and `${peer}` (the receiver) filled in; `${message}` in UI steps is this text.
 * Same rules as messageSenders/fillTemplate in lib/config/app.ts, repeated here because this
 * module must stay free of runtime imports (workflow code may call it).
 */
export function plannedMessages(app: PlannedApp): PlannedMessage[] {
  const { message, schedule, timers } = app.config;
  const other = (s: 'A' | 'B') => (s === 'A' ? 'B' : 'A');
  return Array.from({ length: message.count }, (_, i) => {
    const from = schedule.pattern === 'explicit' ? schedule.senders[i] : i % 2 === 0 ? schedule.firstSender : other(schedule.firstSender);
    const values: Record<string, string> = { index: String(i + 1), count: String(message.count), side: from, peer: other(from) };
    return {
      index: i,
      from,
      waitSeconds: i === 0 ? timers.beforeFirstMessageSec : timers.betweenMessagesSec,
      text: message.text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => values[name] ?? whole),
    };
  });
}

/** A planned measurement with its message sequence: the input shape of a measurement workflow. */
export interface PlannedMeasurementWithMessages extends PlannedMeasurement {
  messages: PlannedMessage[];
  /** seconds after the last message before the apps stop (Fig. 2 "after last message") */
  settleSeconds: number;
  /** seconds the capture keeps running after that (Fig. 2 "capture tail") */
  captureTailSeconds: number;
  /** the campaign's `traceroutes` when it asks for more than the default (single-path) */
  traceroutes?: TraceOptions;
}

export function measurementsWithMessages(plan: Plan): PlannedMeasurementWithMessages[] {
  const byApp = new Map(plan.apps.map((a) => [a.id, { app: a, messages: plannedMessages(a) }]));
  return plan.measurements.map((m) => {
    const { app, messages } = byApp.get(m.app)!;
    return {
      ...m,
      messages: messages.map((msg) => ({ ...msg })),
      settleSeconds: app.config.timers.afterLastMessageSec,
      captureTailSeconds: app.config.timers.captureTailSec,
      // Only when not the default: specs (and plan digests) of campaigns without MDA stay as they were.
      ...(plan.campaign.traceroutes.applicationPaths !== 'single-path' ? { traceroutes: { ...plan.campaign.traceroutes } } : {}),
    };
  });
}

/* ---- scheduled runs: the same plan under the run's own campaign name ---- */

/**
 * The measurements of a plan as measurements of the campaign `runName` (a scheduled run
 * `demo-2026-11-27` of campaign `demo`): campaign field and id prefix renamed, so
 * `demo/threema/de-ber/jp-tyo` becomes `demo-2026-11-27/threema/de-ber/jp-tyo`; everything else
 * (order, testbeds, messages) unchanged. Every id must start with `<campaign>/`.
 */
export function renameCampaignRun<T extends Pick<PlannedMeasurement, 'measurementId' | 'campaign'>>(measurements: readonly T[], campaign: string, runName: string): T[] {
  const prefix = `${campaign}/`;
  return measurements.map((m) => {
    if (m.campaign !== campaign || !m.measurementId.startsWith(prefix)) {
      throw new Error(`campaign ${campaign}: measurement ${JSON.stringify(m.measurementId)} (campaign ${JSON.stringify(m.campaign)}) is not one of its measurements, cannot name it for run ${runName}`);
    }
    return { ...m, campaign: runName, measurementId: `${runName}/${m.measurementId.slice(prefix.length)}` };
  });
}
