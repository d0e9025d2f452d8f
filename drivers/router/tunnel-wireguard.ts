/**
 * tunnelUp for `mode: wireguard`. Each end needs the other's public key before its peer can be
 * set, and the node must know the router's key before the router's first handshake (else that
 * handshake is dropped and the next comes only after WireGuard's 5 s rekey timeout), so:
 *   1. node:   clear, prepare (interface + key; wireguard-go if no kernel module) -> node key
 *   2. router: clear, prepare                                                      -> router key
 *   3. node:   peer (router key), address, MTU, up, return route, masquerade
 *   4. router: peer (node key, endpoint node:port), address, MTU, up, policy routing
 * Any failure removes both ends (interfaces, wireguard-go, sockets, generated keys). Only public
 * keys cross hosts; private keys stay in files on their hosts (drivers/node/wireguard-end.ts).
 */
import { clearEnd, finishEnd, takeEndDown } from '../node/tunnel-link';
import { forEnd, nodeDownSteps, nodeUpSteps, routerDownSteps, routerUpSteps, TunnelSpec } from '../node/tunnel-spec';
import { describeImplementation, prepareWireguardEnd } from '../node/wireguard-end';
import { DriverResult } from '../ssh/failures';
import { connectSsh, SshSession } from '../ssh/session';

export interface WireguardUp {
  /** `kernel` or `wireguard-go <version>`, per end. */
  implementation: { router: string; node: string };
}

export async function wireguardTunnelUp(nodeSession: SshSession, router: { ssh: Parameters<typeof connectSsh>[0] }, spec: TunnelSpec, egress: string): Promise<DriverResult<WireguardUp>> {
  const nodeSpec = forEnd(spec, 'node');
  const routerSpec = forEnd(spec, 'router');
  const nodeDown = nodeDownSteps(nodeSpec, egress);
  const routerDown = routerDownSteps(routerSpec);
  const dropNode = () => takeEndDown(nodeSession, nodeSpec, nodeDown, 'node');

  const nodeClear = await clearEnd(nodeSession, nodeSpec, nodeDown, 'node');
  if (!nodeClear.ok) return nodeClear;
  const nodeKey = await prepareWireguardEnd(nodeSession, nodeSpec, 'node');
  if (!nodeKey.ok) {
    await dropNode();
    return nodeKey;
  }
  const routerConn = await connectSsh(router.ssh);
  if (!routerConn.ok) {
    await dropNode();
    return routerConn;
  }
  const rs = routerConn.session;
  try {
    const dropBoth = async () => {
      await takeEndDown(rs, routerSpec, routerDown, 'router');
      await dropNode();
    };
    const routerClear = await clearEnd(rs, routerSpec, routerDown, 'router');
    if (!routerClear.ok) {
      await dropNode();
      return routerClear;
    }
    const routerKey = await prepareWireguardEnd(rs, routerSpec, 'router');
    if (!routerKey.ok) {
      await dropBoth();
      return routerKey;
    }
    const nodeUp = await finishEnd(nodeSession, nodeSpec, nodeUpSteps(nodeSpec, egress, routerKey.publicKey), nodeDown, 'node');
    if (!nodeUp.ok) {
      await dropBoth();
      return nodeUp;
    }
    const routerUp = await finishEnd(rs, routerSpec, routerUpSteps(routerSpec, nodeKey.publicKey), routerDown, 'router');
    if (!routerUp.ok) {
      await dropBoth();
      return routerUp;
    }
    return { ok: true, implementation: { router: describeImplementation(routerKey.implementation), node: describeImplementation(nodeKey.implementation) } };
  } finally {
    rs.close();
  }
}
