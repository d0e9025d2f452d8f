/**
 * The paper world's planned routes reproduce the paper's network-path findings (Tables 2 and 3,
 * network column) and the application-path detours of section 5. Pure: no namespaces.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { loadWorld } from '../../testbed/world/config';
import { buildPlan, plannedPath, WorldPlan } from '../../testbed/world/address-plan';
import { httpDnsAnswers, resolverRecords } from '../../testbed/world/dns';
import { configsDir } from '../../lib/project-paths';

interface Areas {
  region: Record<string, string>;
  subregion: Record<string, string>;
  intermediate: Record<string, string | null>;
}

function m49(): Areas {
  const doc = parseYaml(fs.readFileSync(path.join(configsDir, 'geo', 'm49.yaml'), 'utf8')) as {
    groups: { region: string; subregion: string; intermediate: string | null; countries: Record<string, string> }[];
  };
  const out: Areas = { region: {}, subregion: {}, intermediate: {} };
  for (const g of doc.groups) {
    for (const c of Object.keys(g.countries)) {
      out.region[c] = g.region;
      out.subregion[c] = g.subregion;
      out.intermediate[c] = g.intermediate;
    }
  }
  return out;
}

const FIVE_EYES = ['US', 'GB', 'CA', 'AU', 'NZ'];
const EU_2015 = 'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE GB'.split(' ');

function countriesOf(plan: WorldPlan, routers: string[]): string[] {
  return routers.map((r) => plan.namespaces.find((n) => n.id === r)?.country as string);
}

/** Countries of the network path between two nodes: both ends + every router both ways. */
function networkCountries(plan: WorldPlan, a: string, b: string): Set<string> {
  const na = plan.nodes.find((n) => n.id === a);
  const nb = plan.nodes.find((n) => n.id === b);
  if (!na || !nb) throw new Error(`unknown node ${a} or ${b}`);
  return new Set([na.country, nb.country, ...countriesOf(plan, plannedPath(plan, a, b)), ...countriesOf(plan, plannedPath(plan, b, a))]);
}

/** Countries of an application path: both ends + both nodes' paths to the backend. */
function appCountries(plan: WorldPlan, a: string, b: string, backendOf: (node: string) => string): Set<string> {
  const out = new Set<string>();
  for (const n of [a, b]) {
    out.add(plan.nodes.find((x) => x.id === n)?.country as string);
    for (const c of countriesOf(plan, plannedPath(plan, n, backendOf(n)))) out.add(c);
  }
  return out;
}

interface Row {
  measurements: number;
  leftArea: number;
  fiveEyes: number;
  eu: number;
  china: number;
}

function table(plan: WorldPlan, inArea: (c: string) => boolean, countries: (a: string, b: string) => Set<string>): Row {
  const nodes = plan.nodes.filter((n) => inArea(n.country));
  const row: Row = { measurements: 0, leftArea: 0, fiveEyes: 0, eu: 0, china: 0 };
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i; j < nodes.length; j++) {
      const cs = [...countries(nodes[i].id, nodes[j].id)];
      row.measurements++;
      if (cs.some((c) => !inArea(c))) row.leftArea++;
      if (cs.some((c) => FIVE_EYES.includes(c))) row.fiveEyes++;
      if (cs.some((c) => EU_2015.includes(c))) row.eu++;
      if (cs.includes('CN')) row.china++;
    }
  }
  return row;
}

describe('paper world routing', () => {
  const plan = buildPlan(loadWorld('paper'));
  const areas = m49();
  const region = (r: string) => (c: string) => areas.region[c] === r;
  const net = (a: string, b: string) => networkCountries(plan, a, b);

  test('has the paper campaign: 28 nodes, 30 core routers, 4 testbeds', () => {
    expect(plan.nodes).toHaveLength(28);
    expect(plan.namespaces.filter((n) => n.kind === 'router')).toHaveLength(30);
    expect(plan.testbeds).toHaveLength(4);
  });

  test('the first testbed tunnels with WireGuard, the others with VXLAN', () => {
    expect(plan.testbeds.map((t) => t.tunnelMode)).toEqual(['wireguard', 'vxlan', 'vxlan', 'vxlan']);
  });

  test('Europe network paths: 86/120 5 Eyes via the UK, 118/120 EU, none China, none leave', () => {
    expect(table(plan, region('Europe'), net)).toEqual({ measurements: 120, leftArea: 0, fiveEyes: 86, eu: 118, china: 0 });
  });

  test('Asia network paths: Israel leaves via Europe and the US (6/28), China on 10/28', () => {
    expect(table(plan, region('Asia'), net)).toEqual({ measurements: 28, leftArea: 6, fiveEyes: 6, eu: 6, china: 10 });
  });

  test('Oceania, South America and Northern America network paths', () => {
    expect(table(plan, region('Oceania'), net)).toEqual({ measurements: 3, leftArea: 0, fiveEyes: 3, eu: 0, china: 0 });
    expect(table(plan, (c) => areas.intermediate[c] === 'South America', net)).toEqual({ measurements: 3, leftArea: 1, fiveEyes: 1, eu: 0, china: 0 });
    expect(table(plan, (c) => areas.subregion[c] === 'Northern America', net)).toEqual({ measurements: 3, leftArea: 0, fiveEyes: 3, eu: 0, china: 0 });
    expect(table(plan, region('Americas'), net).leftArea).toBe(0);
  });

  test('named detours: PL-GB-ES, IL-Europe-US-Asia, CA and AR reach Zurich in one Miami hop', () => {
    expect(countriesOf(plan, plannedPath(plan, 'pl-waw', 'es-mad'))).toEqual(['PL', 'GB', 'ES']);
    const ilJp = countriesOf(plan, plannedPath(plan, 'il-jrs', 'jp-tyo'));
    expect(ilJp[0]).toBe('IL');
    expect(ilJp).toContain('US');
    expect(ilJp.indexOf('IT')).toBeLessThan(ilJp.indexOf('US'));
    expect(plannedPath(plan, 'ca-tor', 'threema')).toEqual(['ca', 'us', 'us-mia', 'ch']);
    expect(plannedPath(plan, 'ar-bue', 'threema')).toEqual(['ar', 'us-mia', 'ch']);
    expect(plannedPath(plan, 'ar-bue', 'br-sao')).toEqual(['ar', 'us-mia', 'br']);
  });

  test('WeChat: Europe reaches Hong Kong via the US, Zurich directly; SG and TH reach China via the US', () => {
    expect(countriesOf(plan, plannedPath(plan, 'de-ber', 'wechat-hk'))).toEqual(['DE', 'GB', 'US', 'US', 'HK']);
    expect(plannedPath(plan, 'ch-zrh', 'wechat-hk')).toEqual(['ch', 'hk']);
    expect(plannedPath(plan, 'sg-sin', 'wechat-cn')).toEqual(['sg', 'us-lax', 'cn']);
    expect(plannedPath(plan, 'th-bkk', 'wechat-cn')).toEqual(['th', 'sg', 'us-lax', 'cn']);
    expect(plannedPath(plan, 'wechat-cn', 'sg-sin')).toEqual(['cn', 'us-lax', 'sg']);
    expect(plannedPath(plan, 'hk-hkg', 'wechat-cn')).toEqual(['hk', 'cn']);
    // TextSecure (US): Zurich's private path to Miami keeps CH-CH out of the EU
    expect(countriesOf(plan, plannedPath(plan, 'ch-zrh', 'textsecure'))).toEqual(['CH', 'US', 'US']);
  });

  test('application paths: Threema lowers Europe 5 Eyes access, WeChat raises it to 119/120', () => {
    const threema = table(plan, region('Europe'), (a, b) => appCountries(plan, a, b, () => 'threema'));
    expect(threema.fiveEyes).toBeLessThan(86);
    expect(threema.fiveEyes).toBeGreaterThanOrEqual(60);
    const wechatFor = (n: string) => {
      const resolver = plan.nodes.find((x) => x.id === n)?.resolver;
      const rid = plan.resolvers.find((r) => r.address === resolver)?.id as string;
      return plan.services.find((s) => s.app === 'wechat' && (s.resolvers ?? []).includes(rid))?.id as string;
    };
    const wechat = table(plan, region('Europe'), (a, b) => appCountries(plan, a, b, wechatFor));
    expect(wechat.fiveEyes).toBe(119);
    const oceania = table(plan, region('Oceania'), (a, b) => appCountries(plan, a, b, wechatFor));
    expect(oceania.china).toBe(3);
  });

  test('every address the world uses lies in its ranges and geolocates through the corrections', () => {
    const inRange = (ip: string) => ip.startsWith('198.18.') || /^198\.19\.([0-9]|[1-9][0-9]|1[01][0-9]|12[0-7])\./.test(ip);
    for (const ns of plan.namespaces) expect(inRange(ns.address)).toBe(true);
    for (const l of plan.links) {
      expect(inRange(l.endA.address) && inRange(l.endB.address)).toBe(true);
    }
    expect(plan.corrections.find((c) => c.prefix === plan.namespaces.find((n) => n.id === 'pl')?.address.replace(/\.1$/, '.0/24'))?.country).toBe('PL');
    const ifnames = plan.veths.flatMap((v) => [v.a.ifname, v.b.ifname]);
    for (const name of ifnames) expect(name.length <= 15 && name.startsWith('mt-')).toBe(true);
    for (const ns of plan.namespaces) expect(ns.name.startsWith('mt-')).toBe(true);
  });
});

describe('world plan details', () => {
  test('testbeds get distinct LANs, adb ports and WLAN uplinks; DNS follows the resolver lists', () => {
    const world = loadWorld('small');
    world.config.testbeds = 3;
    const plan = buildPlan(world);
    const sides = plan.testbeds.flatMap((t) => [t.A, t.B]);
    expect(new Set(sides.map((s) => s.wlan.lanPrefix)).size).toBe(6);
    expect(sides.map((s) => s.phone.adbPort)).toEqual([5600, 5601, 5602, 5603, 5604, 5605]);
    expect(new Set(sides.map((s) => s.wlan.uplinkAddress)).size).toBe(6);
    expect(sides.every((s) => s.phone.gateway === s.wlan.lanAddress)).toBe(true);
    const wechat = plan.services.find((s) => s.id === 'wechat-cn');
    expect(wechat?.addresses.map((a) => a.name)).toEqual(['dns.weixin.qq.com', 'long.weixin.qq.com', 'short.weixin.qq.com']);
    expect(new Set(wechat?.addresses.map((a) => a.address)).size).toBe(3);
  });

  test('resolver records and WeChat DNS-over-HTTP answers depend on the region', () => {
    const plan = buildPlan(loadWorld('small'));
    const cn = plan.services.find((s) => s.id === 'wechat-cn') as WorldPlan['services'][number];
    const hk = plan.services.find((s) => s.id === 'wechat-hk') as WorldPlan['services'][number];
    const long = (s: typeof cn) => s.addresses.find((a) => a.name === 'long.weixin.qq.com')?.address;
    expect(resolverRecords(plan, 'dns-asia').find((r) => r.name === 'long.weixin.qq.com')?.address).toBe(long(cn));
    expect(resolverRecords(plan, 'dns-eu').find((r) => r.name === 'long.weixin.qq.com')?.address).toBe(long(hk));
    expect(resolverRecords(plan, 'dns-eu').find((r) => r.name === 'pool.ntp.org')).toBeDefined();
    const answers = httpDnsAnswers(plan, 'wechat').find((e) => e.name === 'long.weixin.qq.com')?.answers ?? [];
    const sgPrefix = plan.routerPrefix.sg;
    expect(answers.find((a) => a.clientPrefix === sgPrefix)?.addresses).toEqual([long(cn)]);
    expect(answers[answers.length - 1]).toEqual({ addresses: [long(hk)] }); // default: Hong Kong
  });

  test('the config is validated with the key path of a bad value', () => {
    expect(() => loadWorld(path.join(__dirname, '..', 'fixtures', 'world', 'bad-link.yaml'))).toThrow(/links\[0\]\.b names router nowhere/);
  });
});
