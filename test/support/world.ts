/**
 * The emulated worlds of the tests. The driver topology (testbed/driver-topology.ts: sshd in a
 * node and a router namespace, a phone, a target; mtsh-* namespaces) for a jest test file via
 * `useTopology`, and its names and addresses. Tests of the full world run `matador testbed up`
 * through the CLI runner (./matador-cli.ts).
 */
import type { TunnelMode, TunnelSpec } from '../../drivers/node';
import { ADDR, buildTopology, teardownTopology, type Topology } from '../../testbed/driver-topology';

export { ADDR, as, buildTopology, inNs, NS, run, SUDO_PASSWORD_USER, SUDO_USER, teardownTopology, type Topology } from '../../testbed/driver-topology';

/**
 * Registers beforeAll/afterAll (call it at the top of a test file): the topology is built before
 * the file's tests and torn down after them. Returns a getter that throws outside the tests.
 */
export function useTopology(options: { dropbear?: boolean } = {}): () => Topology {
  let topo: Topology | undefined;
  beforeAll(async () => {
    topo = await buildTopology(options);
  }, 60_000);
  afterAll(async () => {
    await teardownTopology(topo);
  }, 60_000);
  return () => {
    if (!topo) throw new Error('topology not built');
    return topo;
  };
}

/** A router <-> node tunnel over the topology's addresses (phone LAN behind the router). */
export function topologyTunnel(mode: TunnelMode, o: { name: string; table: number; rulePriority: number }): TunnelSpec {
  return {
    name: o.name,
    mode,
    routerUnderlay: ADDR.router,
    nodeUnderlay: ADDR.node,
    routerInner: ADDR.routerInner,
    nodeInner: ADDR.nodeInner,
    innerPrefixLength: 30,
    phoneSubnet: ADDR.phoneSubnet,
    table: o.table,
    rulePriority: o.rulePriority,
  };
}
