/**
 * End to end on the emulated world "small": the real Temporal dev server, the real workers with
 * the real measurement steps (activities/steps), real sshd/tcpdump/scamper/traceroute in the
 * world's namespaces, the virtual phones over the real adb server. One campaign of six
 * measurements (pl-waw + sg-sin incl. both self-pairs x Threema + WeChat), then one measurement
 * whose first attempt loses its capture to an injected fault.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { AttemptRecord, MeasurementResult } from '../../lib/measurement/payloads';
import { extractFlows } from '../../lib/capture';
import { dataDir, projectRoot } from '../../lib/project-paths';
import { CENTRAL_TASK_QUEUE, campaignWorkflowId } from '../../temporal/conventions';
import type { CampaignSummary } from '../../lib/measurement/payloads';
import type { ArtefactRef, MeasurementRecord, Trace } from '../../lib/types';
import { ResultsStore } from '../../store/results-store';
import { knownWorlds, readWorldState } from '../../testbed/world';
import { useTestServer } from '../support/dev-server';
import { startRealWorkers, type RunningWorkers } from '../support/workers';
import { runCli } from '../world/helpers';
import { invalidOf, schemaValidators } from '../support/dataset-schema';
import { csvObjects } from '../support/csv';
import { loadWorld } from '../../testbed/world/config';
import { routerAsPlan } from '../../testbed/world/as-plan';
import { countryPath, latestRecords, tunnelLeftovers, wireguardGoProcesses } from './helpers';
import type { TunnelInfo } from '../../lib/measurement/payloads';
import { defaultInterestGroups } from '../../lib/config/geo-tables';
import { groupAccess } from '../../lib/workflow-text/access';
import { measurementOutcomeDetails } from '../../lib/workflow-text/measurement';

jest.setTimeout(240_000);

const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'e2e');
const NAMESPACES = ['mt-tb1-wa', 'mt-tb1-wb', 'mt-n-pl-waw', 'mt-n-sg-sin'];
const CAMPAIGNS = ['e2e', 'e2e-fault'];

let workers: RunningWorkers | undefined;
let tmpDir = '';
let resultsFile = '';
/** Only a world this test brought up is taken down again (`down` removes every world). */
let worldUp = false;

function removeCampaignData(): void {
  for (const c of CAMPAIGNS) {
    for (const dir of ['artefacts', 'baselines']) fs.rmSync(path.join(dataDir, dir, c), { recursive: true, force: true });
  }
  fs.rmSync(path.join(dataDir, 'runs', 'tb1'), { recursive: true, force: true });
}

async function runCampaign(campaign: string, file: string): Promise<CampaignSummary> {
  const handle = await live().client.workflow.start('campaignWorkflow', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: campaignWorkflowId(campaign), args: [{ config: file }] });
  return (await handle.result()) as CampaignSummary;
}

beforeAll(async () => {
  const others = knownWorlds().filter((w) => w !== 'small');
  if (others.length > 0) throw new Error(`another emulated world is up (${others.join(', ')}): the e2e test needs the machine's namespaces for the world "small"; run "matador testbed down" first`);
  removeCampaignData();
  const up = await runCli(['testbed', 'up', 'small']);
  if (up.code !== 0) throw new Error(`matador testbed up small failed: ${up.stderr}`);
  worldUp = true;
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-e2e-'));
  resultsFile = path.join(tmpDir, 'results.sqlite');
});

// After the world is up; stopped before it goes down (jest runs the hooks in order).
const live = useTestServer({
  setup: async ({ native }) => {
    workers = await startRealWorkers({ connection: native, namespace: 'default', resultsFile, testbeds: ['tb1'], measurement: { receiveTimeoutMs: 15_000 } });
  },
  teardown: () => workers?.stop(),
});

afterAll(async () => {
  if (worldUp) {
    await runCli(['testbed', 'down']);
    removeCampaignData();
  }
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

const lastCountry = (t: Trace): string | null => t.hops[t.hops.length - 1]?.country ?? null;
const byId = (records: MeasurementRecord[], id: string): MeasurementRecord => {
  const r = records.find((x) => x.measurementId === id);
  if (!r) throw new Error(`no record ${id} (have ${records.map((x) => x.measurementId).join(', ')})`);
  return r;
};

describe('a campaign on the emulated world', () => {
  let records: MeasurementRecord[] = [];

  beforeAll(async () => {
    const summary = await runCampaign('e2e', path.join(FIXTURES, 'campaign.yaml'));
    expect(summary).toMatchObject({ campaign: 'e2e', total: 6, ok: 6, failed: 0 });
    records = latestRecords(resultsFile, 'e2e');
    // Figures for the report (not assertions): wall time vs the configured (scaled) waits.
    const rows = records.map((r) => {
      const t = r.timings as { configuredWaitSeconds: number; attemptSeconds: number | null; overheadSeconds: number | null; steps: Array<{ step: string; seconds: number | null }> };
      const steps = new Map<string, number>();
      for (const s of t.steps) steps.set(s.step.replace(/#\d+$/, ''), (steps.get(s.step.replace(/#\d+$/, '')) ?? 0) + (s.seconds ?? 0));
      return `${r.measurementId}: attempt ${t.attemptSeconds} s, configured waits ${t.configuredWaitSeconds} s, overhead ${t.overheadSeconds} s; ${[...steps].map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`;
    });
    process.stdout.write(`e2e timings:\n${rows.join('\n')}\n`);
  });

  it('stores one ok record per measurement, labelled emulated', () => {
    expect(records.map((r) => r.measurementId).sort()).toEqual(
      ['sg-sin/sg-sin', 'sg-sin/pl-waw', 'pl-waw/pl-waw'].flatMap((p) => [`e2e/threema/${p}`, `e2e/wechat/${p}`]).sort(),
    );
    for (const r of records) expect(r).toMatchObject({ status: 'ok', failure: null, testbedKind: 'emulated', testbed: 'tb1' });
  });

  it("tb1's tunnels run WireGuard (wireguard-go: this kernel has no module) on both sides", () => {
    for (const r of records) {
      const tunnels = r.tunnels as TunnelInfo[];
      expect(tunnels.map((t) => t.kind)).toEqual(['wireguard', 'wireguard']);
      for (const t of tunnels.filter((x) => !x.reused)) expect(t.implementation?.router).toMatch(/^(kernel|wireguard-go v[\d.]+)$/);
    }
  });

  it("ran through every host kind: tb1's router A is Dropbear + BusyBox (root), router B OpenSSH with a sudo admin, the nodes sudo admins", () => {
    const tb1 = readWorldState('small').testbeds.find((t) => t.id === 'tb1');
    expect(tb1?.sides.A.router.ssh).toMatchObject({ username: 'root', kind: { server: 'dropbear', userland: 'busybox' } });
    expect(tb1?.sides.B.router.ssh).toMatchObject({ username: 'matador', kind: { server: 'openssh', userland: 'gnu' } });
    const nodes = readWorldState('small').nodes.filter((n) => ['pl-waw', 'sg-sin'].includes(n.id));
    expect(nodes.map((n) => n.ssh?.username)).toEqual(['matador', 'matador']);
  });

  it('network path both ways between Singapore and Poland, hops placed by the world (SG -> US -> GB -> PL)', () => {
    for (const app of ['threema', 'wechat']) {
      const r = byId(records, `e2e/${app}/sg-sin/pl-waw`);
      const traces = r.networkPath.traces;
      expect(traces.map((t) => t.from).sort()).toEqual(['A', 'B']);
      for (const t of traces) {
        expect(t).toMatchObject({ protocol: 'tcp', failure: null });
        expect(t.port).toBeGreaterThanOrEqual(33434);
        expect(t.hops.filter((h) => h.ip).every((h) => h.geo?.source === 'corrections' && h.geo.corrected)).toBe(true);
      }
      expect(countryPath(traces.find((t) => t.from === 'A')!)).toEqual(['SG', 'US', 'GB', 'PL']);
      expect(countryPath(traces.find((t) => t.from === 'B')!)).toEqual(['PL', 'GB', 'US', 'SG']);
      // AS per hop from the world's AS plan (its corrections), and the AS path router by router
      const asOf = routerAsPlan(loadWorld('small').config);
      const sgToPl = traces.find((t) => t.from === 'A')!;
      expect(sgToPl.hops.filter((h) => h.ip).every((h) => h.as?.source === 'corrections' && h.as.asn !== null)).toBe(true);
      expect(sgToPl.asPath).toEqual(['sg', 'us-lax', 'us', 'gb', 'pl'].map((id) => asOf.get(id)!.asn));
      expect(r.geolocation).toMatchObject({ asSources: { asn: [{ source: 'package:@ip-location-db/asn', databaseDate: '2026-06-17' }] } });
    }
    // a self-pair traces the node to itself: one hop, in its own country
    const self = byId(records, 'e2e/threema/pl-waw/pl-waw').networkPath.traces;
    expect(self).toHaveLength(1);
    expect(countryPath(self[0])).toEqual(['PL']);
  });

  it('application paths end at the service: Threema in Switzerland, WeChat in Hong Kong for Europe and in China for Asia', () => {
    const world = readWorldState('small');
    const serviceCountry = new Map(world.services.flatMap((svc) => svc.addresses.map((a) => [a.address, svc.country] as const)));
    for (const r of records) {
      const traces = r.applicationPath.traces;
      expect(traces.length).toBeGreaterThan(0);
      for (const t of traces) {
        expect(t.failure).toBeNull();
        // the service's own protocol and port, as the capture saw them
        expect(r.endpoints).toEqual(expect.arrayContaining([expect.objectContaining({ ip: t.target, port: t.port, protocol: t.protocol })]));
        expect(lastCountry(t)).toBe(serviceCountry.get(t.target));
        expect(countryPath(t)[0]).toBe((t.from === 'A' ? r.nodeA : r.nodeB).country);
        if (r.app === 'threema') expect(lastCountry(t)).toBe('CH');
      }
      // both nodes traced every endpoint (the endpoints of both sides' captures)
      const targets = (side: string) => new Set(traces.filter((t) => t.from === side).map((t) => `${t.target}:${t.port}`));
      expect(targets('A')).toEqual(targets('B'));
      // WeChat answers by region: the Singapore phone talked to China, the Polish one to Hong Kong
      if (r.app === 'wechat') {
        for (const side of r.flows as Array<{ side: 'A' | 'B'; endpoints: Array<{ ip: string }> }>) {
          const node = side.side === 'A' ? r.nodeA : r.nodeB;
          expect(new Set(side.endpoints.map((e) => serviceCountry.get(e.ip)))).toEqual(new Set([node.country === 'SG' ? 'CN' : 'HK']));
        }
      }
    }
    // the chat connections: Threema's on 5222; WeChat's long connection on 8080 (resolved over
    // its DNS-over-HTTP, so nameless in the capture, traced as an `unknown` endpoint)
    expect(byId(records, 'e2e/threema/sg-sin/pl-waw').applicationPath.traces.map((t) => t.port)).toContain(5222);
    expect(byId(records, 'e2e/wechat/sg-sin/pl-waw').applicationPath.traces.map((t) => t.port)).toContain(8080);
  });

  it('flows are classified per side with messaging endpoints of the service, against the no-app baseline', () => {
    for (const r of records) {
      const sides = r.flows as Array<{ side: string; counts: Record<string, number>; baseline: string | null; endpoints: Array<{ class: string; names: string[] }> }>;
      expect(sides.map((s) => s.side)).toEqual(['A', 'B']);
      for (const s of sides) {
        expect(s.counts.messaging).toBeGreaterThan(0);
        // with the record's baselines beside it, so a missing one shows why it is missing
        expect({ id: r.measurementId, side: s.side, baseline: s.baseline, baselines: r.baselines }).toMatchObject({ baseline: expect.stringMatching(/^baselines\/e2e\/tb[0-9]+\/(pl-waw|sg-sin)\.pcap$/) });
        const messagingNames = s.endpoints.filter((e) => e.class === 'messaging').flatMap((e) => e.names);
        expect(messagingNames.some((n) => (r.app === 'threema' ? /threema\.ch$/ : /weixin\.qq\.com$/).test(n))).toBe(true);
      }
    }
  });

  it('records every message with send and receive times from the Android observables, and the phones with the app version found on the device and their clock offset', () => {
    type Observed = { at: string; observable: string; notBefore: string; notAfter: string };
    for (const r of records) {
      const messages = r.messages as Array<{ index: number; from: string; sentAt: string; receivedAt: string | null; failure: string | null; sent: Observed; received: Observed }>;
      expect(messages.map((m) => [m.index, m.from])).toEqual([[0, 'A'], [1, 'B']]);
      for (const m of messages) {
        expect(m.failure).toBeNull();
        // Each time is a look at one phone, good to its bracket: the receive cannot have ended
        // before the send began (two looks may see both within the same few ms).
        expect(m.sent).toMatchObject({ at: m.sentAt, observable: 'chat-bubble' });
        expect(m.received).toMatchObject({ at: m.receivedAt, observable: expect.stringMatching(/^(chat-bubble|notification)$/) });
        expect(Date.parse(m.received.notAfter)).toBeGreaterThanOrEqual(Date.parse(m.sent.notBefore));
        for (const t of [m.sent, m.received]) expect(Date.parse(t.notBefore)).toBeLessThanOrEqual(Date.parse(t.notAfter));
      }
      const phones = r.phones as Array<{ side: string; appVersion: string; configuredVersion: string; pinnedVersion?: string; location: { latitude: number }; clock: { offsetMs: number; uncertaintyMs: number; precision: string } }>;
      expect(phones.map((p) => p.side)).toEqual(['A', 'B']);
      for (const p of phones) {
        expect(p.appVersion).toBe(p.configuredVersion);
        // The virtual phones run on the host's clock: an offset within its uncertainty, in µs (mksh $EPOCHREALTIME).
        expect(p.clock.precision).toBe('us');
        expect(Math.abs(p.clock.offsetMs)).toBeLessThanOrEqual(p.clock.uncertaintyMs + 1);
      }
      // the campaign pins Threema's version (the phones were checked for it), not WeChat's
      for (const p of phones) expect(p.pinnedVersion).toBe(r.app === 'threema' ? '2.41' : undefined);
    }
  });

  it('keeps artefacts on disk and in the store; a capture re-reads with lib/capture', async () => {
    const shippingSeconds: number[] = [];
    const store = new ResultsStore({ file: resultsFile });
    try {
      for (const r of records) {
        const artefacts = r.artefacts as ArtefactRef[];
        expect(new Set(artefacts.map((a) => a.kind))).toEqual(new Set(['capture', 'screenshot', 'traceroute-raw', 'classification', 'baseline']));
        for (const a of artefacts) {
          const under = a.kind === 'baseline' ? 'baselines/e2e/' : `artefacts/e2e/${r.app}/${r.nodeA.id}/${r.nodeB.id}/attempt-`;
          expect(a.path.startsWith(under)).toBe(true);
          // One host, one data folder: shipping verified each file in place (no copy onto itself).
          const file = path.join(dataDir, a.path);
          expect({ path: a.path, bytes: fs.statSync(file).size, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex') }).toEqual({ path: a.path, bytes: a.bytes, sha256: a.sha256 });
          expect(a).toMatchObject({ testbed: 'tb1', present: true, failure: null });
          expect(fs.existsSync(`${file}.${a.sha256?.slice(0, 16)}.part`)).toBe(false);
        }
        const stored = store.latest(r.measurementId)!;
        expect(store.artefacts(r.measurementId, stored.attempt)).toEqual(expect.arrayContaining(artefacts));
        // The Web UI shows the workflow result: it names the same artefacts.
        const result = (await live().client.workflow.getHandle(r.measurementId).result()) as MeasurementResult;
        expect(result.artefacts).toEqual(artefacts);
        // Nothing had to travel: the measurement planned it and started no shipping child.
        await expect(live().client.workflow.getHandle(`${r.measurementId}/artefacts`).describe()).rejects.toThrow(WorkflowNotFoundError);
        const events = (await live().client.workflow.getHandle(r.measurementId).fetchHistory()).events ?? [];
        const shipping = events.filter((e) => ['artefactManifest', 'prepareArtefacts'].includes(e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''));
        expect(shipping).toHaveLength(2);
        const closed = events.filter((e) => e.activityTaskCompletedEventAttributes && shipping.some((s) => String(s.eventId) === String(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
        expect(closed).toHaveLength(2);
        const ms = (t: typeof closed[number]['eventTime']): number => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
        shippingSeconds.push((ms(closed[1].eventTime) - ms(shipping[0].eventTime)) / 1000);
      }
      // A figure, not an assertion: what shipping adds to a measurement on one host.
      console.log(`shipping on one host (verify in place): ${shippingSeconds.length} measurements, ${shippingSeconds.map((x) => x.toFixed(2)).join(', ')} s each`);
      const capture = (byId(records, 'e2e/threema/sg-sin/pl-waw').captures as Array<{ side: string; path: string }>)[0];
      const flows = await extractFlows(fs.createReadStream(path.join(dataDir, capture.path)));
      expect(flows.packets).toBeGreaterThan(0);
      expect(flows.flows.some((f) => f.server.port === 5222)).toBe(true);
    } finally {
      store.close();
    }
  });

  it("marks hops in the world's IXP LANs (its own PeeringDB dump) and stores each record's path anomalies", () => {
    const laxIx = { ixId: 900001, name: 'LAX-IX', country: 'US' };
    for (const r of records) {
      // every hop of every trace was looked up: a mark or null, never absent
      for (const t of [...r.networkPath.traces, ...r.applicationPath.traces]) for (const h of t.hops) expect(h).toHaveProperty('ixp');
      expect((r.geolocation as { peeringdb?: Array<{ file: string }> }).peeringdb?.[0].file).toMatch(/peeringdb\.json$/);
      expect(r.anomalies).toMatchObject({ boomerangs: [] }); // no path here leaves a country and comes back
    }
    // Singapore -> Poland crosses the Los Angeles exchange on the network path (SG -> US -> GB -> PL)
    const sgPl = byId(records, 'e2e/threema/sg-sin/pl-waw');
    expect(sgPl.anomalies?.ixpCrossings).toContainEqual({ path: 'network', ...laxIx });
    expect(sgPl.networkPath.traces.find((t) => t.from === 'A')!.hops.find((h) => h.ixp)?.ixp).toMatchObject({ ...laxIx, city: 'Los Angeles', source: 'peeringdb.json' });
    // WeChat from Singapore to Singapore: the chat goes through the US exchange to China, countries
    // the direct path (a self-pair: Singapore only) never needed
    const wechatSg = byId(records, 'e2e/wechat/sg-sin/sg-sin');
    expect(wechatSg.anomalies?.ixpCrossings).toContainEqual({ path: 'application', ...laxIx });
    expect(wechatSg.anomalies?.detourCountries).toEqual(['CN', 'US']);
  });

  it('matador report --campaign reads the store and labels the data as emulated', async () => {
    const r = await runCli(['report', '--campaign', 'e2e', '--store', resultsFile, '--format', 'json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { provenance?: { label: string | null }; apps: string[]; areas: Array<{ area: string; apps: Record<string, Record<string, unknown> & { measurements: number }> }> };
    expect(report.provenance?.label).toMatch(/EMULATED/);
    expect(report.apps.sort()).toEqual(['threema', 'wechat']);
    const asia = report.areas.find((a) => a.area === 'Asia');
    expect(asia?.apps.wechat.measurements).toBe(1);
    // Table 4: the Singapore self-pair's WeChat path crosses a US exchange and detours via US and CN
    expect(asia?.apps.wechat).toMatchObject({ crossedIxpOutsideArea: 1, boomerangs: 0, detours: 1, detourCountries: { CN: 1, US: 1 } });
    // the IXP marks came from a PeeringDB dump: its attribution is in the report (no database placed a world hop)
    expect((report as { attributions?: string[] }).attributions).toEqual([expect.stringContaining('PeeringDB')]);
    // records carry AS data: the registration variant stands beside the physical counts, never below
    for (const a of report.areas as unknown as Array<{ network: { accessible: Record<string, number>; accessibleWithRegistration?: Record<string, number> } }>) {
      for (const [group, n] of Object.entries(a.network.accessible)) expect(a.network.accessibleWithRegistration?.[group]).toBeGreaterThanOrEqual(n);
    }
  });

  it('matador report --format html shows the campaign offline, every artefact link pointing at a file', async () => {
    const out = path.join(tmpDir, 'report.html');
    const r = await runCli(['report', '--campaign', 'e2e', '--store', resultsFile, '--format', 'html', '--out', out]);
    expect(r.stderr).toBe('');
    const page = fs.readFileSync(out, 'utf8');
    expect(page).toContain('id="emulated-banner"');
    expect(page).toContain('IXP LAX-IX (US');
    expect(page.match(/<section class="m" id="m-\d+"/g)).toHaveLength(6);
    const links = [...page.matchAll(/<li>[^:<]+: <a href="([^"]+)">/g)].map((m) => decodeURIComponent(m[1]));
    expect(links.length).toBeGreaterThanOrEqual(6 * 3); // captures, screenshots, raw traces of six measurements
    for (const link of links) expect(fs.existsSync(path.resolve(tmpDir, link))).toBe(true);
  });

  it('matador dataset export (jsonl, csv) and the report validate against the published schemas (matador dataset schema)', async () => {
    const v = schemaValidators();
    const out = path.join(tmpDir, 'export', 'e2e.jsonl');
    const jsonl = await runCli(['dataset', 'export', '--campaign', 'e2e', '--store', resultsFile, '--out', out]);
    expect(jsonl.stderr).toBe('');
    const exported = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(exported).toHaveLength(records.length);
    // the stored records carry the full side classifications (flows), not the workflow's summaries
    expect(invalidOf(v.record, exported.map((line, i) => ({ label: `${out}:${i + 1}`, value: JSON.parse(line) as unknown })))).toEqual([]);
    const report = await runCli(['report', '--campaign', 'e2e', '--store', resultsFile, '--format', 'json']);
    expect(invalidOf(v.report, [{ label: 'report --campaign e2e', value: JSON.parse(report.stdout) as unknown }])).toEqual([]);
    const csv = await runCli(['dataset', 'export', '--campaign', 'e2e', '--store', resultsFile, '--format', 'csv', '--out', path.join(tmpDir, 'export', 'e2e.csv')]);
    expect(csv.stderr).toBe('');
    const measurements = csvObjects(fs.readFileSync(path.join(tmpDir, 'export', 'e2e.measurements.csv'), 'utf8'));
    expect(measurements.map((m) => m.measurementId).sort()).toEqual(records.map((r) => r.measurementId).sort());
    // Singapore -> Poland: the LAX-IX hop is a row of the network path in the US, labelled emulated
    const hops = csvObjects(fs.readFileSync(path.join(tmpDir, 'export', 'e2e.csv'), 'utf8'));
    expect(hops.find((h) => h.measurementId === 'e2e/threema/sg-sin/pl-waw' && h.ixp === 'LAX-IX')).toMatchObject({ testbedKind: 'emulated', path: 'network', country: 'US', ixpCountry: 'US' });
    expect(hops.some((h) => /^\d+$/.test(h.asn))).toBe(true);
  });

  it('each workflow says in the Web UI what it is and what it found (user metadata: summary, details)', async () => {
    const r = byId(records, 'e2e/threema/sg-sin/pl-waw');
    const measurement = live().client.workflow.getHandle(r.measurementId);
    // staticSummary/staticDetails: set by the campaign when it started the child
    const described = await measurement.describe();
    expect(await described.staticSummary()).toBe('measurement threema sg-sin→pl-waw (tb1)');
    expect(await described.staticDetails()).toContain('- node A sg-sin (SG, Singapore) → node B pl-waw (PL, Warsaw)');
    // current details (the SDK's metadata query, what the Web UI and `temporal workflow metadata` show):
    // the paths as countries and the groups, computed by persistRecord from the record's table
    const text = (await measurement.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
    process.stdout.write(`current details of ${r.measurementId}:\n${text}\n`); // for people reading the log
    const details = text.split('\n');
    const access = groupAccess(r, defaultInterestGroups());
    expect(details[0]).toBe(measurementOutcomeDetails(r, { stored: '', access }).split('\n')[0]);
    // Threema's server is in CH, reached from SG through HK; the network path crosses US and GB both ways
    expect(details[0]).toBe('threema sg-sin→pl-waw: app SG>HK>CH, PL>CH / network SG>US>GB>PL, PL>GB>US>SG; Five Eyes: app no, network yes; European Union: app yes, network yes');
    expect(details[1]).toBe('');
    expect(details[2]).toMatch(/^- testbed tb1 \(emulated world\), 1 attempt, finished /);
    expect(details).toContainEqual(expect.stringMatching(/^- record stored: `.+`$/));
    // the campaign: its outcome
    const campaign = await live().client.workflow.getHandle(campaignWorkflowId('e2e')).query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(campaign.currentDetails.split('\n')[0]).toBe('campaign e2e done: 6 measurements, 6 ok, 0 failed (1 workflow run)');
  });

  it('leaves no tunnel behind', async () => {
    for (const ns of NAMESPACES) expect(await tunnelLeftovers(ns)).toEqual([]);
    expect(await wireguardGoProcesses()).toEqual([]);
  });
});

describe('a capture killed mid-measurement', () => {
  it('fails the attempt with capture_failed, cleans it up and succeeds in the next attempt', async () => {
    const handles = path.join(dataDir, 'runs', 'tb1', 'captures.json');
    let killed: string | null = null;
    const injector = (async () => {
      // the first attempt's tcpdump is running once its handles are written (startCapture)
      for (let i = 0; i < 600 && killed === null; i++) {
        if (fs.existsSync(handles)) {
          const r = await runCli(['testbed', 'fault', 'tcpdump-kill', 'tb1-wa']);
          killed = r.code === 0 ? r.stdout : `failed: ${r.stderr}`;
        } else await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const summary = await runCampaign('e2e-fault', path.join(FIXTURES, 'fault-campaign.yaml'));
    await injector;
    expect(killed).toMatch(/killed [1-9]/);
    expect(summary).toMatchObject({ total: 1, ok: 1, failed: 0 });
    const [record] = latestRecords(resultsFile, 'e2e-fault');
    const attempts = record.attempts as AttemptRecord[];
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0]).toMatchObject({ failure: 'capture_failed', failedOperation: 'stopCapture', detail: expect.stringMatching(/^side A: /) });
    expect(attempts[0].cleanedUp).toBe(true);
    expect(attempts[0].steps.map((s) => s.step)).toEqual(expect.arrayContaining(['cleanup', 'teardown']));
    expect(attempts[attempts.length - 1].failure).toBeNull();
    expect(record).toMatchObject({ status: 'ok', testbedKind: 'emulated' });
    // traceroutes.applicationPaths: mda -> every application path by scamper tracelb, reaching the service
    const appTraces = record.applicationPath.traces;
    expect(appTraces.length).toBeGreaterThan(0);
    for (const t of appTraces) {
      expect(t).toMatchObject({ tool: 'scamper', method: 'tracelb', failure: null, detail: null }); // the detail says why, should it fail
      expect(t.hops.at(-1)?.ip).toBe(t.target);
      expect(t.hops.at(-1)?.country).toBe('CH');
    }
    const traced = attempts[attempts.length - 1].steps.find((s) => s.step === 'traceroutes');
    if (traced?.finishedAt) console.log(`MDA traceroutes step in the world: ${appTraces.length} application traces (+1 network), ${(Date.parse(traced.finishedAt) - Date.parse(traced.startedAt)) / 1000} s`);
    expect(fs.existsSync(handles)).toBe(false);
    for (const ns of NAMESPACES) expect(await tunnelLeftovers(ns)).toEqual([]);
  });
});
