/**
 * The vantage node's end of the router tunnel (used by the router driver's tunnelUp/Down).
 * Runs on an open session so the router driver controls connection lifetimes.
 */
import { DriverResult } from '../ssh/failures';
import { SshSession } from '../ssh/session';
import { bringEndUp, takeEndDown } from './tunnel-link';
import { nodeDownSteps, nodeUpSteps, TunnelSpec } from './tunnel-spec';

/** Bring the node end up; on failure the partial state is removed again. */
export function nodeEndpointUp(session: SshSession, spec: TunnelSpec, egressInterface: string): Promise<DriverResult<object>> {
  return bringEndUp(session, spec, nodeUpSteps(spec, egressInterface), nodeDownSteps(spec, egressInterface));
}

/** Remove the node end; `removed` counts the pieces that were still there. */
export function nodeEndpointDown(session: SshSession, spec: TunnelSpec, egressInterface: string): Promise<DriverResult<{ removed: number }>> {
  return takeEndDown(session, spec, nodeDownSteps(spec, egressInterface));
}
