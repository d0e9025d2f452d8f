/**
 * `matador.nodes/v1`: the vantage nodes a campaign tunnels the phones through (the paper's 28
 * PlanetLab nodes). Countries are checked against UN M49 because every analysis groups by M49
 * area: a code M49 does not know would silently drop out of the area tables.
 */
import { ipFamily } from '../net/ip';
import { z } from 'zod';
import { defaultM49 } from './geo-tables';
import { expected, id, interfaceName, ipv4Address, list, literal, num, pathRef, port, str, strict, sudoMode } from './fields';

export const NODES_SCHEMA = 'matador.nodes/v1';

const COUNTRY_EXPECTATION = 'an ISO 3166-1 alpha-2 country code in upper case that UN M49 lists (e.g. "DE")';

export function countryCode() {
  const error = expected(COUNTRY_EXPECTATION);
  return z
    .string({ error })
    .regex(/^[A-Z]{2}$/, { error })
    .refine((code) => defaultM49().countryInfo(code) !== undefined, { error });
}

/** How to reach a real vantage node (optional: emulated worlds fill this in at run time). */
export const nodeSshSchema = strict({
  host: str('a host name or IP address'),
  port: port().optional(),
  user: str('a user name'),
  /** A PATH to the private key, never the key itself (secrets stay out of configs and workflows);
   *  `~/` and paths relative to the nodes file are resolved by the loader. */
  identityFile: pathRef('the path of the SSH private key file').optional(),
  knownHostsFile: pathRef('the path of a known_hosts file pinning the node host key').optional(),
  /** root commands (ip, iptables, scamper): auto = `sudo -n` when user is not root (default) */
  sudo: sudoMode().default('auto'),
});

export const nodeSchema = strict({
  id: id(),
  country: countryCode(),
  city: str('a city name').optional(),
  latitude: num({ min: -90, max: 90 }),
  longitude: num({ min: -180, max: 180 }),
  ssh: nodeSshSchema.optional(),
  /** Real nodes only (emulated worlds know their own wiring): the interface the phones'
   *  traffic leaves by, masqueraded (default eth0). */
  egressInterface: interfaceName().optional(),
  /** Real nodes only: the node's address as the WLAN routers reach it, the tunnel underlay and
   *  the network-path traceroute target (default: ssh.host, when that is an IPv4 address). */
  underlayAddress: ipv4Address("an IPv4 address: the node's address as the WLAN routers reach it (tunnel underlay)").optional(),
}).superRefine((node, ctx) => {
  if (node.ssh && node.underlayAddress === undefined && ipFamily(node.ssh.host) !== 4) {
    ctx.addIssue({
      code: 'custom',
      path: ['underlayAddress'],
      message: expected(
        `an IPv4 address: the node's address as the WLAN routers reach it (tunnel underlay); this key is needed because ssh.host ${JSON.stringify(node.ssh.host)} is not an IPv4 address`,
      ),
    });
  }
});

/** What a real vantage node uses when its entry does not say. */
export const REAL_NODE_DEFAULTS = { egressInterface: 'eth0' } as const;

/** The tunnel underlay of a real node: underlayAddress, else its IPv4 ssh.host; null = neither
 *  (the schema refuses that for nodes with ssh, so null means "no ssh access"). */
export function nodeUnderlayAddress(node: Pick<NodeConfig, 'ssh' | 'underlayAddress'>): string | null {
  if (node.underlayAddress !== undefined) return node.underlayAddress;
  return node.ssh && ipFamily(node.ssh.host) === 4 ? node.ssh.host : null;
}

export const nodesFileSchema = strict({
  schema: literal(NODES_SCHEMA),
  description: str('a description').optional(),
  nodes: list(nodeSchema, { min: 1, what: 'a list of nodes' }).superRefine((nodes, ctx) => {
    const seen = new Map<string, number>();
    nodes.forEach((node, index) => {
      const first = seen.get(node.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: [index, 'id'], input: node.id, message: expected(`a node id not used before (nodes[${first}] has it)`) });
      } else seen.set(node.id, index);
    });
  }),
});

export type NodeSshConfig = z.infer<typeof nodeSshSchema>;
export type NodeConfig = z.infer<typeof nodeSchema>;
export type NodesFile = z.infer<typeof nodesFileSchema>;
