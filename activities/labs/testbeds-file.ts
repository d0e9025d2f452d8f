/**
 * The lab of real testbeds (kind 'real'): everything comes from the campaign's testbeds config
 * (routers, phones, `tunnel`) and nodes config (`ssh`, `egressInterface`, `underlayAddress` of
 * each node); the config loader has validated these values and filled in their defaults (GRE,
 * wlan0, 192.168.42.0/24 + .43.0/24, eth0, underlay = IPv4 SSH host).
 */
import { nodeUnderlayAddress, REAL_NODE_DEFAULTS, type TestbedConfig } from '../../lib/config';
import type { Side } from '../../lib/types';
import { LabError, tunnelSpec, type Lab, type LabTestbed, type PlannedNode, type SideEndpoints, type TestbedEndpoints } from '../lab';

type RealTestbed = Extract<TestbedConfig, { kind: 'real' }>;

function realTestbed({ campaign, testbed }: LabTestbed): RealTestbed {
  if (testbed.kind !== 'real') throw new LabError('testbed_unknown', `${campaign.testbedsFile}: testbed ${testbed.id} is ${testbed.kind}; this lab reaches only real testbeds`);
  return testbed;
}

function resolve(at: LabTestbed, pair: { nodeA: PlannedNode; nodeB: PlannedNode }): TestbedEndpoints {
  const { campaign } = at;
  const tb = realTestbed(at);
  const testbedIndex = campaign.testbeds.findIndex((t) => t.id === tb.id);
  const side = (s: Side): SideEndpoints => {
    const planned = s === 'A' ? pair.nodeA : pair.nodeB;
    const n = campaign.nodes.find((x) => x.id === planned.id);
    if (!n) throw new LabError('testbed_unknown', `${campaign.nodesFile}: no node ${planned.id}`);
    if (!n.ssh?.identityFile || !n.ssh.knownHostsFile) throw new LabError('testbed_incomplete', `${campaign.nodesFile}: node ${n.id} needs ssh.host, ssh.user, ssh.identityFile and ssh.knownHostsFile for a real testbed`);
    // The nodes schema refuses a node with ssh but neither underlayAddress nor an IPv4 ssh.host.
    const nodeUnderlay = nodeUnderlayAddress(n);
    if (nodeUnderlay === null) throw new LabError('testbed_incomplete', `${campaign.nodesFile}: node ${n.id} needs underlayAddress (ssh.host ${JSON.stringify(n.ssh.host)} is not an IPv4 address)`);
    const r = tb.routers[s];
    return {
      side: s,
      router: { ssh: { host: r.host, port: r.port, username: r.user, privateKeyPath: r.identityFile, knownHostsPath: r.knownHostsFile, sudo: r.sudo }, lanInterface: r.lanInterface, captureDir: r.captureDir },
      phone: {
        serial: tb.phones[s].serial,
        ...(tb.phones[s].location ? { location: tb.phones[s].location } : {}),
        ...(tb.phones[s].firewallExtraUids ? { firewallExtraUids: tb.phones[s].firewallExtraUids } : {}),
      },
      node: {
        id: n.id, country: n.country, address: nodeUnderlay, latitude: n.latitude, longitude: n.longitude,
        ssh: { host: n.ssh.host, port: n.ssh.port ?? 22, username: n.ssh.user, privateKeyPath: n.ssh.identityFile, knownHostsPath: n.ssh.knownHostsFile, sudo: n.ssh.sudo },
        egressInterface: n.egressInterface ?? REAL_NODE_DEFAULTS.egressInterface,
      },
      tunnel: tunnelSpec({ testbedIndex, side: s, ...tb.tunnel, routerUnderlay: r.underlayAddress, nodeUnderlay, phoneSubnet: r.phoneSubnet }),
    };
  };
  return { testbed: tb.id, kind: 'real', world: null, sides: { A: side('A'), B: side('B') }, correctionsFiles: [] };
}

function nodeAt({ campaign }: LabTestbed, address: string): PlannedNode | null {
  const n = campaign.nodes.find((x) => nodeUnderlayAddress(x) === address);
  return n ? { id: n.id, country: n.country, latitude: n.latitude, longitude: n.longitude } : null;
}

/** Real testbeds as the campaign's testbeds and nodes files describe them. */
export function testbedsFileLab(): Lab {
  return { resolve, nodeAt };
}
