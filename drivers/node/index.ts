/**
 * Vantage node driver (node-ssh). A node is reached over SSH with a pinned host key and key auth;
 * it terminates the WLAN router's tunnel (NAT toward the world) and runs the path measurements.
 *
 *   checkNode(node)                             required tools, available traceroute backends
 *   traceroute(node, { target, protocol, port, backend: 'scamper' | 'traceroute' })
 *       -> DriverResult<{ run: { tool, command, raw, stderr, trace } }>
 *   tracerouteOnSession(session, req)           several traces over one connection
 *   nodeEndpointUp/Down(session, spec, egress)  used by drivers/router tunnelUp/tunnelDown
 */
export type { NodeTarget } from './types';
export { checkNode, NODE_TOOLS } from './check';
export { traceroute, tracerouteOnSession, tracerouteArgv, MDA_METHODS, MDA_TIMEOUT_MS, TRACEROUTE_BACKENDS } from './traceroute';
export type { TracerouteBackend, TracerouteRequest, TracerouteRun } from './traceroute';
export { nodeEndpointUp, nodeEndpointDown } from './tunnel-endpoint';
export { TUNNEL_MODES, validateTunnelSpec, WIREGUARD_DEFAULT_PORT, WIREGUARD_MTU, endInterfaceName } from './tunnel-spec';
export type { TunnelMode, TunnelSpec } from './tunnel-spec';
