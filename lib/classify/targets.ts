/**
 * From service endpoints (of one or both sides' classifications) to the application-path
 * traceroute targets: one per (address, protocol, port), because the trace uses the service's
 * own protocol and port (paper section 3.2) and the same server reached over two ports is two
 * different application paths.
 */
import { addressToBigInt } from './match';

/** Structural input: a ServiceEndpoint fits, so do hand-made endpoints. */
export interface EndpointLike {
  ip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  name?: string | null;
  names?: string[];
  class?: 'messaging' | 'app-background';
}

export interface TracerouteTarget {
  ip: string;
  protocol: 'tcp' | 'udp';
  port: number;
  /** The first endpoint's name (SNI or DNS), else the first known name, else null. */
  name: string | null;
  names: string[];
  /** Classes of the endpoints merged into this target; empty when the inputs had none. */
  classes: Array<'messaging' | 'app-background'>;
}

export interface PickTargetsOptions {
  /** Keep only endpoints of these classes (default: both; endpoints without a class are kept). */
  classes?: ReadonlyArray<'messaging' | 'app-background'>;
}

/** Dedupe by (address, protocol, port), first appearance wins the order; names are merged. */
export function pickTracerouteTargets(endpoints: readonly EndpointLike[], options: PickTargetsOptions = {}): TracerouteTarget[] {
  const classes = options.classes ?? ['messaging', 'app-background'];
  const byKey = new Map<string, TracerouteTarget>();
  for (const endpoint of endpoints) {
    if (endpoint.class !== undefined && !classes.includes(endpoint.class)) continue;
    // the numeric form makes 2001:DB8::1 and 2001:db8:0::1 one target
    const key = `${endpoint.protocol} ${addressToBigInt(endpoint.ip).toString(16)} ${endpoint.port}`;
    let target = byKey.get(key);
    if (!target) {
      target = { ip: endpoint.ip, protocol: endpoint.protocol, port: endpoint.port, name: null, names: [], classes: [] };
      byKey.set(key, target);
    }
    for (const name of [endpoint.name ?? null, ...(endpoint.names ?? [])]) {
      if (name !== null && !target.names.includes(name)) target.names.push(name);
    }
    if (target.name === null && endpoint.name) target.name = endpoint.name;
    if (endpoint.class !== undefined && !target.classes.includes(endpoint.class)) target.classes.push(endpoint.class);
  }
  for (const target of byKey.values()) if (target.name === null) target.name = target.names[0] ?? null;
  return [...byKey.values()];
}
