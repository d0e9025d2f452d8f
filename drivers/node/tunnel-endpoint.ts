/**
 * The vantage node's end of the router tunnel (used by the router driver's tunnelUp/Down).
 * Runs on an open session so the router driver controls connection lifetimes.
 */
import { DriverResult } from '../ssh/failures';
import { SshSession } from '../ssh/session';
import { bringEndUp, takeEndDown } from './tunnel-link';
import { forEnd, nodeDownSteps, nodeUpSteps, TunnelSpec } from './tunnel-spec';

/** Bring the node end up (gre/ipip/vxlan; WireGuard needs both ends' keys first, see
 *  drivers/router/tunnel-wireguard.ts); on failure the partial state is removed again. */
export function nodeEndpointUp(session: SshSession, spec: TunnelSpec, egressInterface: string): Promise<DriverResult<object>> {
  const end = forEnd(spec, 'node');
  return bringEndUp(session, end, nodeUpSteps(end, egressInterface), nodeDownSteps(end, egressInterface), 'node');
}

/** Remove the node end (any mode); `removed` counts the pieces that were still there. */
export function nodeEndpointDown(session: SshSession, spec: TunnelSpec, egressInterface: string): Promise<DriverResult<{ removed: number }>> {
  const end = forEnd(spec, 'node');
  return takeEndDown(session, end, nodeDownSteps(end, egressInterface), 'node');
}
