/**
 * The geolocate step's IXP pass: the testbed's PeeringDB dump and the campaign's `geo.peeringdb`
 * mark hop addresses (primary and other interfaces) and the provenance names each dump. A lab
 * object stands in for the emulated world's state (its corrections and dump are real files).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ATTRIBUTIONS } from '../../lib/geo';
import { projectRoot } from '../../lib/project-paths';
import type { Paths, StepContext } from '../../lib/measurement/payloads';
import type { Lab, TestbedEndpoints } from '../lab';
import type { StepEnv } from './context';
import { geolocate } from './geolocate';

const FIXTURES = path.join(projectRoot, 'test', 'fixtures');
let dir = '';

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-geolocate-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function setUp(campaignDumps: string[], testbedDumps: string[] | undefined) {
  const campaign = path.join(dir, 'campaign.yaml');
  const ref = (f: string) => JSON.stringify(f);
  fs.writeFileSync(campaign, [
    'schema: matador.campaign/v1', 'id: ixp',
    `nodes: { file: ${ref(path.join(FIXTURES, 'config', 'nodes-minimal.yaml'))} }`,
    `apps: [${ref(path.join(FIXTURES, 'config', 'app-minimal.yaml'))}]`,
    `testbeds: { file: ${ref(path.join(FIXTURES, 'config', 'testbeds-minimal.yaml'))}, select: [tb1] }`,
    `geo: { peeringdb: [${campaignDumps.map(ref).join(', ')}] }`, '',
  ].join('\n'));
  const corrections = path.join(dir, 'corrections.yaml');
  fs.writeFileSync(corrections, 'schema: matador.geo-corrections/v1\ncorrections:\n  - { prefix: 198.18.1.0/24, country: US }\n  - { prefix: 80.81.192.0/21, country: DE }\n');
  const endpoints = { testbed: 'tb1', kind: 'emulated', world: 'w', sides: {}, correctionsFiles: [corrections], ...(testbedDumps ? { peeringdbFiles: testbedDumps } : {}) } as unknown as TestbedEndpoints;
  const lab: Lab = { resolve: () => endpoints, nodeAt: () => null };
  const env: StepEnv = { baseDir: projectRoot, dataDir: dir, lab };
  const node = { id: 'x', country: 'DE', latitude: 50.1, longitude: 8.7 };
  const ctx = { measurementId: 'ixp/minimal/x/y', campaign: 'ixp', app: 'minimal', testbed: 'tb1', attempt: 1, nodeA: node, nodeB: node, config: { path: campaign } } as unknown as StepContext;
  return { env, ctx };
}

const paths = {
  networkPath: {
    traces: [{
      from: 'A', target: '80.81.192.9', protocol: 'icmp', port: null,
      hops: [
        { ttl: 1, ip: '198.18.1.1', rttMs: [1], country: null },
        { ttl: 2, ip: '80.81.194.21', rttMs: [2], country: null, otherIps: ['198.18.1.7'], otherInterfaces: [{ ip: '198.18.1.7', rttMs: [2], country: null }] },
      ],
    }],
  },
  applicationPath: { traces: [] },
} as unknown as Paths;

it('marks IXP hops from the testbed dump and the campaign dumps, and records both', async () => {
  const world = path.join(dir, 'world-peeringdb.json');
  fs.writeFileSync(world, JSON.stringify({
    ix: { data: [{ id: 900001, name: 'Emulated LA exchange', city: 'Los Angeles', country: 'US' }] },
    ixlan: { data: [{ id: 900001, ix_id: 900001 }] },
    ixpfx: { data: [{ id: 900001, ixlan_id: 900001, protocol: 'IPv4', prefix: '198.18.1.7/32' }] },
  }));
  const { env, ctx } = setUp([path.join(FIXTURES, 'geo', 'peeringdb', 'dump.json')], [world]);
  const out = await geolocate(env, ctx, paths);
  const hops = out.networkPath.traces[0].hops;
  expect(hops[0]).toMatchObject({ country: 'US', ixp: null });
  expect(hops[1]).toMatchObject({ country: 'DE', ixp: { ixId: 31, name: 'DE-CIX Frankfurt', country: 'DE', source: 'dump.json' } });
  expect(hops[1].otherInterfaces?.[0]).toMatchObject({ country: 'US', ixp: { ixId: 900001, city: 'Los Angeles', prefix: '198.18.1.7/32', source: 'world-peeringdb.json' } });
  expect(out.geolocation.peeringdb?.map((p) => [path.basename(p.file), p.ixps, p.prefixes])).toEqual([['world-peeringdb.json', 1, 1], ['dump.json', 3, 5]]);
  // a marked hop makes the dump a source of the record: its attribution is listed
  expect(out.geolocation.attributions).toContain(ATTRIBUTIONS.peeringdb);
});

it('without any dump, hops get no ixp field and the provenance no peeringdb entry', async () => {
  const { env, ctx } = setUp([], undefined);
  const out = await geolocate(env, ctx, paths);
  expect(out.networkPath.traces[0].hops[1]).not.toHaveProperty('ixp');
  expect(out.geolocation).not.toHaveProperty('peeringdb');
  expect(out.geolocation.attributions).not.toContain(ATTRIBUTIONS.peeringdb);
});
