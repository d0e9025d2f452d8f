/**
 * tunnelUp for `mode: wireguard`. Each end needs the other's public key before its peer can be
 * set, and the node must know the router's key before the router's first handshake (else that
 * handshake is dropped and the next comes only after WireGuard's 5 s rekey timeout), so:
 *   1. node:   clear, prepare (interface + key; wireguard-go if no kernel module) -> node key
 *   2. router: clear, prepare (concurrently with 1)                                -> router key
 *      (clear + prepare: one round trip per end, wireguard-end.ts clearAndPrepareScript)
 *   3. node:   peer (router key), address, MTU, up, return route, masquerade
 *   4. router: peer (node key, endpoint node:port), address, MTU, up, policy routing
 * Any failure removes both ends (interfaces, wireguard-go, sockets, generated keys). Only public
 * keys cross hosts; private keys stay in files on their hosts (drivers/node/wireguard-end.ts).
 */
import { finishEnd, takeEndDown } from '../node/tunnel-link';
import { forEnd, nodeDownSteps, nodeUpSteps, routerDownSteps, routerUpSteps, TunnelSpec } from '../node/tunnel-spec';
import { clearAndPrepareWireguardEnd, describeImplementation } from '../node/wireguard-end';
import { DriverResult } from '../ssh/failures';
import { SshSession } from '../ssh/session';

export interface WireguardUp {
  /** `kernel` or `wireguard-go <version>`, per end. */
  implementation: { router: string; node: string };
}

export async function wireguardTunnelUp(nodeSession: SshSession, rs: SshSession, spec: TunnelSpec, egress: string): Promise<DriverResult<WireguardUp>> {
  const nodeSpec = forEnd(spec, 'node');
  const routerSpec = forEnd(spec, 'router');
  const nodeDown = nodeDownSteps(nodeSpec, egress);
  const routerDown = routerDownSteps(routerSpec);
  // Steps 1 and 2 at once (different hosts; an end with no peer sends no handshake). An end
  // whose clearing failed was not touched (e.g. a foreign interface of the name): only ends
  // that were cleared are removed again on failure.
  // Each end cleared and prepared in one round trip (wireguard-end.ts clearAndPrepareScript).
  const [n, r] = await Promise.all([clearAndPrepareWireguardEnd(nodeSession, nodeSpec, 'node', nodeDown), clearAndPrepareWireguardEnd(rs, routerSpec, 'router', routerDown)]);
  const nodeKey = n.result;
  const routerKey = r.result;
  const dropBoth = async () => {
    await Promise.all([r.cleared ? takeEndDown(rs, routerSpec, routerDown, 'router') : null, n.cleared ? takeEndDown(nodeSession, nodeSpec, nodeDown, 'node') : null]);
  };
  if (!nodeKey.ok || !routerKey.ok) {
    await dropBoth();
    return !nodeKey.ok ? nodeKey : (routerKey as Extract<typeof routerKey, { ok: false }>);
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
}
