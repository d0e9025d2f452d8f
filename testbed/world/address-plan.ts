/**
 * The world's address plan (pure): a loaded world config turned into namespaces, veth pairs,
 * addresses, `ip -batch` lines per namespace (addresses, routes, policy rules), netem delays and
 * the geolocation corrections. apply.ts executes the plan; nothing here touches the system.
 */
import { routerAsPlan, type RouterAs } from './as-plan';
import type { LoadedWorld, WorldNode } from './config';
import { HOST_ADDRESS, LAB_HOST_SIDE, LAB_PREFIX, LabAddressPool, RouterAddressPool, WORLD_PREFIX, wlanLan } from './addresses';
import { SERVICE_SHAPES } from '../services/catalogue';
import { planIxps, type PlannedIxp } from './ixps';
import { GraphLink, PathTable, RouteDemand, shortestPaths, sourceRoutes, waypointPath } from './routing';

export const PREFIX = 'mt-';
export const HOST_IFNAME = 'mt-host';
export const LAB_ID = 'lab';

export type ElementKind = 'router' | 'lab' | 'node' | 'service' | 'resolver' | 'background' | 'wlan' | 'phone';

export interface PlannedNamespace {
  name: string;
  kind: ElementKind;
  id: string;
  country: string;
  /** Main address of the element (router: its gateway address). */
  address: string;
  forwarding: boolean;
  /** Lines for `ip -n <name> -batch -`. */
  ipBatch: string[];
  /** One-way delays of this namespace's egress interfaces (core links with delayMs > 0). */
  delays: { ifname: string; ms: number }[];
}

export interface VethEnd {
  netns: string | null; // null = the host namespace
  ifname: string;
}

export interface PlannedLink {
  id: string; // "a~b" (router ids in config order)
  a: string;
  b: string;
  endA: VethEnd & { address: string };
  endB: VethEnd & { address: string };
  delayMs: number;
  private: string | null;
}

export interface PlannedAttachment {
  element: string;
  router: string;
  elementEnd: VethEnd & { address: string };
  routerEnd: VethEnd & { address: string };
}

export interface PlannedTestbedSide {
  wlan: { id: string; netns: string; uplinkAddress: string; lanAddress: string; lanPrefix: string };
  phone: { id: string; netns: string; address: string; gateway: string; wlanIfname: string; adbPort: number; dns: string | null };
}

export interface WorldPlan {
  world: string;
  namespaces: PlannedNamespace[];
  veths: { a: VethEnd; b: VethEnd }[];
  links: PlannedLink[];
  attachments: PlannedAttachment[];
  host: { ifname: string; address: string; gateway: string; routes: string[] };
  routerPaths: PathTable;
  /** Paths that differ from the plain router path: "src>dst" keyed (dst may be an element). */
  overridePaths: Map<string, string[]>;
  /** Internet exchanges on some links (world config `ixps`), for the world's PeeringDB dump. */
  ixps: PlannedIxp[];
  /** Geolocation corrections (lib/geo/corrections format): prefix -> country, and for router
   *  prefixes the router's AS (as-plan.ts). */
  corrections: { prefix: string; country: string | null; note: string; asn?: number; asName?: string; registrationCountry?: string }[];
  nodes: (WorldNode & { netns: string; address: string; router: string; resolver: string | null })[];
  /** `addresses`: one address per DNS name (the first is `address`). */
  services: { id: string; app: string; netns: string; address: string; addresses: { name: string; address: string }[]; router: string; country: string; names: string[]; resolvers: string[] | null; options: Record<string, unknown> }[];
  resolvers: { id: string; netns: string; address: string; router: string; country: string }[];
  background: { id: string; kind: string; port: number; netns: string; address: string; router: string; country: string; names: string[] }[];
  /** `tunnelMode`: the router<->node tunnels of the testbed (tunnelModeOf). */
  testbeds: { id: string; tunnelMode: EmulatedTunnelMode; A: PlannedTestbedSide; B: PlannedTestbedSide }[];
  /** Router id -> the resolver id its country's clients use (for region-dependent answers). */
  routerResolver: Record<string, string | null>;
  /** Router id -> its prefix (lab included). */
  routerPrefix: Record<string, string>;
}

export function netnsName(kind: ElementKind, id: string): string {
  switch (kind) {
    case 'router':
      return `${PREFIX}r-${id}`;
    case 'lab':
      return `${PREFIX}lab`;
    case 'node':
      return `${PREFIX}n-${id}`;
    case 'service':
      return `${PREFIX}s-${id}`;
    case 'resolver':
      return `${PREFIX}d-${id}`;
    case 'background':
      return `${PREFIX}b-${id}`;
    case 'wlan':
    case 'phone':
      return `${PREFIX}${id}`;
  }
}

/** Every resolver also answers here; each router's prefix is routed to its region's resolver. */
export const ANYCAST_DNS = '198.18.0.53';

/** Virtual phones' adbd ports on the host loopback: outside adb's emulator scan range 5555-5585. */
export const ADB_PORT_BASE = 5600;

const ifname = (peerId: string) => `${PREFIX}${peerId}`;

/** The DNS names the emulated app resolves (testbed/services catalogue), for services without `names`. */
function defaultServiceNames(app: string): string[] {
  const shape = (SERVICE_SHAPES as Record<string, { endpoints: { name: string }[] } | undefined>)[app];
  return shape ? shape.endpoints.map((e) => e.name) : [];
}

const DEFAULT_PORTS: Record<string, number> = { ntp: 123, http204: 80, 'tcp-echo': 7, 'udp-echo': 7 };

export function buildPlan(world: LoadedWorld): WorldPlan {
  const { config } = world;
  const routerIds = [...config.routers.map((r) => r.id), LAB_ID];
  const countryOf = new Map<string, string>(config.routers.map((r) => [r.id, r.country]));
  countryOf.set(LAB_ID, config.lab.country);
  const pools = new Map<string, RouterAddressPool>(config.routers.map((r, i) => [r.id, new RouterAddressPool(i + 1)]));
  const lab = new LabAddressPool();
  const prefixOf = (router: string) => (router === LAB_ID ? LAB_PREFIX : (pools.get(router) as RouterAddressPool).prefix);
  const gatewayOf = (router: string) => (router === LAB_ID ? lab.gateway : (pools.get(router) as RouterAddressPool).gateway);
  const linkAddr = (router: string) => (router === LAB_ID ? lab.linkAddress() : (pools.get(router) as RouterAddressPool).linkAddress());
  const routerNs = (router: string) => (router === LAB_ID ? netnsName('lab', LAB_ID) : netnsName('router', router));

  const namespaces = new Map<string, PlannedNamespace>();
  const addNs = (kind: ElementKind, id: string, country: string, address: string, forwarding: boolean): PlannedNamespace => {
    const ns: PlannedNamespace = { name: netnsName(kind, id), kind, id, country, address, forwarding, ipBatch: ['link set lo up'], delays: [] };
    namespaces.set(id, ns);
    return ns;
  };
  for (const r of config.routers) {
    const ns = addNs('router', r.id, r.country, gatewayOf(r.id), true);
    ns.ipBatch.push(`address add ${gatewayOf(r.id)}/32 dev lo`);
  }
  const labNs = addNs('lab', LAB_ID, config.lab.country, LAB_HOST_SIDE, true);
  const veths: WorldPlan['veths'] = [];

  // Core links: /32 addresses with peer routes, each side from its own router's /24.
  const allLinks = [...config.links, { a: config.lab.router, b: LAB_ID, cost: 1, delayMs: 0, private: LAB_ID as string | undefined }];
  const links: PlannedLink[] = [];
  const neighbour = new Map<string, { ifname: string; peerAddress: string }>(); // "r>n"
  for (const l of allLinks) {
    const addrA = linkAddr(l.a);
    const addrB = linkAddr(l.b);
    const endA = { netns: routerNs(l.a), ifname: ifname(l.b), address: addrA };
    const endB = { netns: routerNs(l.b), ifname: ifname(l.a), address: addrB };
    veths.push({ a: endA, b: endB });
    links.push({ id: `${l.a}~${l.b}`, a: l.a, b: l.b, endA, endB, delayMs: l.delayMs, private: l.private ?? null });
    for (const [end, peerAddr, self] of [[endA, addrB, l.a], [endB, addrA, l.b]] as const) {
      const ns = namespaces.get(self) as PlannedNamespace;
      ns.ipBatch.push(`address add ${end.address}/32 peer ${peerAddr}/32 dev ${end.ifname}`, `link set ${end.ifname} up`);
      if (l.delayMs > 0) ns.delays.push({ ifname: end.ifname, ms: l.delayMs });
    }
    neighbour.set(`${l.a}>${l.b}`, { ifname: endA.ifname, peerAddress: addrB });
    neighbour.set(`${l.b}>${l.a}`, { ifname: endB.ifname, peerAddress: addrA });
  }

  // Attached elements: a p2p veth to their router, router side uses the router's gateway address.
  const attachments: PlannedAttachment[] = [];
  const extraAddresses = new Map<string, string[]>(); // element -> further /32s on its access link
  const attach = (kind: ElementKind, id: string, router: string, forwarding: boolean, extra = 0): PlannedNamespace => {
    const address = router === LAB_ID ? lab.uplinkAddress() : (pools.get(router) as RouterAddressPool).elementAddress();
    const gw = gatewayOf(router);
    const ns = addNs(kind, id, countryOf.get(router) as string, address, forwarding);
    const elementEnd = { netns: ns.name, ifname: ifname(router), address };
    const routerEnd = { netns: routerNs(router), ifname: ifname(id), address: gw };
    veths.push({ a: routerEnd, b: elementEnd });
    attachments.push({ element: id, router, elementEnd, routerEnd });
    ns.ipBatch.push(`address add ${address}/32 peer ${gw}/32 dev ${elementEnd.ifname}`, `link set ${elementEnd.ifname} up`);
    ns.ipBatch.push(`route add default via ${gw} dev ${elementEnd.ifname}`);
    const rns = namespaces.get(router) as PlannedNamespace;
    rns.ipBatch.push(`address add ${gw}/32 peer ${address}/32 dev ${routerEnd.ifname}`, `link set ${routerEnd.ifname} up`);
    // Further addresses (a service with one address per DNS name, as real services have).
    const extras = Array.from({ length: extra }, () => (pools.get(router) as RouterAddressPool).elementAddress());
    for (const x of extras) {
      ns.ipBatch.push(`address add ${x}/32 dev ${elementEnd.ifname}`);
      rns.ipBatch.push(`route add ${x}/32 via ${address} dev ${routerEnd.ifname}`);
    }
    extraAddresses.set(id, extras);
    return ns;
  };

  const resolvers = config.resolvers.map((r) => {
    const ns = attach('resolver', r.id, r.router, false);
    return { id: r.id, netns: ns.name, address: ns.address, router: r.router, country: ns.country };
  });
  const resolverNamespaces = () => resolvers.map((r) => ({ ns: namespaces.get(r.id) as PlannedNamespace, router: r.router }));
  const resolverIdFor = (country: string): string | null => {
    const byCountry = config.resolvers.find((r) => r.countries.includes(country));
    const region = world.regionOf[country];
    const byRegion = config.resolvers.find((r) => region !== undefined && r.regions.includes(region));
    return (byCountry ?? byRegion)?.id ?? null;
  };
  const resolverFor = (country: string): string | null => {
    const id = resolverIdFor(country);
    return id === null ? null : (resolvers.find((r) => r.id === id)?.address ?? null);
  };
  const nodes = world.nodes.map((n) => {
    const router = config.nodeRouters[n.id] ?? (config.routers.find((r) => r.country === n.country)?.id as string);
    const ns = attach('node', n.id, router, true);
    return { ...n, netns: ns.name, address: ns.address, router, resolver: resolverFor(n.country) };
  });
  const services = config.services.map((s) => {
    const names = s.names.length > 0 ? s.names : defaultServiceNames(s.app);
    const ns = attach('service', s.id, s.router, false, Math.max(0, names.length - 1));
    const all = [ns.address, ...(extraAddresses.get(s.id) ?? [])];
    const nameAddresses = names.map((name, i) => ({ name, address: all[i] }));
    return { id: s.id, app: s.app, netns: ns.name, address: ns.address, addresses: nameAddresses, router: s.router, country: ns.country, names, resolvers: s.resolvers ?? null, options: s.options };
  });
  const background = config.background.map((b) => {
    const ns = attach('background', b.id, b.router, false);
    return { id: b.id, kind: b.kind, port: b.port ?? DEFAULT_PORTS[b.kind], netns: ns.name, address: ns.address, router: b.router, country: ns.country, names: b.names };
  });

  // Testbeds: WLAN routers hang off the lab; each phone sits on its router's LAN only. ADB is the
  // phone's "USB cable": the virtual phone's adbd listens on the host's loopback (adbPort).
  // Phones use the anycast resolver: once their traffic exits at a vantage node, the node's
  // region answers (the paper's routers handed out the PlanetLab node's DNS server).
  const labDns = resolvers.length > 0 ? ANYCAST_DNS : null;
  const testbeds: WorldPlan['testbeds'] = [];
  for (let t = 1; t <= config.testbeds; t++) {
    const sides = {} as Record<'A' | 'B', PlannedTestbedSide>;
    for (const side of ['A', 'B'] as const) {
      const wlanId = `tb${t}-w${side.toLowerCase()}`;
      const phoneId = `tb${t}-p${side.toLowerCase()}`;
      const lan = wlanLan(t, side);
      const wns = attach('wlan', wlanId, LAB_ID, true);
      const pns = addNs('phone', phoneId, config.lab.country, lan.phone, false);
      veths.push({ a: { netns: wns.name, ifname: ifname(phoneId) }, b: { netns: pns.name, ifname: ifname(wlanId) } });
      wns.ipBatch.push(`address add ${lan.router}/24 dev ${ifname(phoneId)}`, `link set ${ifname(phoneId)} up`);
      pns.ipBatch.push(`address add ${lan.phone}/24 dev ${ifname(wlanId)}`, `link set ${ifname(wlanId)} up`, `route add default via ${lan.router} dev ${ifname(wlanId)}`);
      labNs.ipBatch.push(`route add ${lan.prefix} via ${wns.address} dev ${ifname(wlanId)}`);
      sides[side] = {
        wlan: { id: wlanId, netns: wns.name, uplinkAddress: wns.address, lanAddress: lan.router, lanPrefix: lan.prefix },
        phone: { id: phoneId, netns: pns.name, address: lan.phone, gateway: lan.router, wlanIfname: ifname(wlanId), adbPort: ADB_PORT_BASE + 2 * (t - 1) + (side === 'A' ? 0 : 1), dns: labDns },
      };
    }
    testbeds.push({ id: `tb${t}`, tunnelMode: tunnelModeOf(t), A: sides.A, B: sides.B });
  }

  // Host <-> lab management link.
  veths.push({ a: { netns: null, ifname: HOST_IFNAME }, b: { netns: labNs.name, ifname: HOST_IFNAME } });
  labNs.ipBatch.push(`address add ${LAB_HOST_SIDE}/32 peer ${HOST_ADDRESS}/32 dev ${HOST_IFNAME}`, `link set ${HOST_IFNAME} up`);

  // Routing: shortest router paths, then the configured detours, compiled to per-source tables.
  const graph: GraphLink[] = allLinks.map((l) => ({ a: l.a, b: l.b, cost: l.cost, owner: l.private }));
  const table = shortestPaths(routerIds, graph);
  for (const src of routerIds) {
    for (const dst of routerIds) {
      if (src === dst) continue;
      const p = table.get(src)?.get(dst);
      if (!p) throw new Error(`world ${config.name}: router ${dst} is unreachable from ${src}; check links`);
      const nb = neighbour.get(`${src}>${p[1]}`) as { ifname: string; peerAddress: string };
      namespaces.get(src)?.ipBatch.push(`route add ${prefixOf(dst)} via ${nb.peerAddress} dev ${nb.ifname}`);
    }
  }
  const elementRouter = new Map<string, string>([...attachments.map((a) => [a.element, a.router] as const)]);
  const elementAddresses = new Map<string, string[]>(attachments.map((a) => [a.element, [a.elementEnd.address, ...(extraAddresses.get(a.element) ?? [])]]));
  const overridePaths = new Map<string, string[]>();
  const demands = new Map<string, RouteDemand>();
  for (const src of routerIds) for (const dst of routerIds) if (src !== dst) demands.set(`${src}>${dst}`, { source: src, sourceRouter: src, destination: dst, destinationRouter: dst, path: table.get(src)?.get(dst) as string[], explicit: false });
  for (const p of config.paths) {
    const toRouter = routerIds.includes(p.to) ? p.to : elementRouter.get(p.to);
    if (!toRouter) throw new Error(`world ${config.name}: path target ${p.to} is not placed in the world`);
    const isElement = toRouter !== p.to;
    for (const from of p.from) {
      const fwd = waypointPath(table, from, p.via, toRouter);
      overridePaths.set(`${from}>${p.to}`, fwd);
      demands.set(`${from}>${p.to}`, { source: from, sourceRouter: from, destination: p.to, destinationRouter: toRouter, path: fwd, explicit: isElement });
      if (p.symmetric) {
        const rev = [...fwd].reverse();
        overridePaths.set(`${p.to}>${from}`, rev);
        demands.set(`${p.to}>${from}`, { source: p.to, sourceRouter: toRouter, destination: from, destinationRouter: from, path: rev, explicit: isElement });
      }
    }
  }
  const keyPrefixes = (key: string) => (routerIds.includes(key) ? [prefixOf(key)] : (elementAddresses.get(key) ?? []).map((a) => `${a}/32`));
  const tableIds = new Map<string, number>();
  const rulesAdded = new Set<string>();
  /** Route in `router`'s table for traffic from `source` (plus the rule selecting that table). */
  const sourceRoute = (router: string, source: string, destinations: string[], via: string) => {
    if (!tableIds.has(source)) tableIds.set(source, 100 + tableIds.size);
    const tid = tableIds.get(source) as number;
    const ns = namespaces.get(router) as PlannedNamespace;
    for (const dst of destinations) ns.ipBatch.push(`route replace ${dst} ${via} table ${tid}`);
    if (!rulesAdded.has(`${router}|${source}`)) {
      rulesAdded.add(`${router}|${source}`);
      const specific = !routerIds.includes(source);
      for (const src of keyPrefixes(source)) ns.ipBatch.push(`rule add from ${src} lookup ${tid} pref ${(specific ? 1000 : 2000) + tid}`);
    }
  };
  const viaNeighbour = (router: string, next: string) => {
    const nb = neighbour.get(`${router}>${next}`);
    if (!nb) throw new Error(`world ${config.name}: path step ${router} -> ${next} has no link`);
    return `via ${nb.peerAddress} dev ${nb.ifname}`;
  };
  for (const sr of sourceRoutes(table, [...demands.values()])) sourceRoute(sr.router, sr.source, keyPrefixes(sr.destination), viaNeighbour(sr.router, sr.nextHop));

  // Anycast DNS: every resolver also answers on ANYCAST_DNS; traffic from a router's prefix
  // (its nodes, and phones whose traffic exits there) reaches the resolver of its region.
  for (const r of resolverNamespaces()) r.ns.ipBatch.push(`address add ${ANYCAST_DNS}/32 dev ${ifname(r.router)}`);
  for (const src of routerIds) {
    const rid = resolverIdFor(countryOf.get(src) as string);
    const res = rid === null ? undefined : resolvers.find((x) => x.id === rid);
    if (!res) continue;
    const p = table.get(src)?.get(res.router) ?? [src];
    for (let i = 0; i + 1 < p.length; i++) sourceRoute(p[i], src, [`${ANYCAST_DNS}/32`], viaNeighbour(p[i], p[i + 1]));
    sourceRoute(res.router, src, [`${ANYCAST_DNS}/32`], `via ${res.address} dev ${ifname(res.id)}`);
  }

  const asPlan = routerAsPlan(config);
  const corrections = [
    ...config.routers.map((r) => {
      const as = asPlan.get(r.id) as RouterAs;
      return { prefix: prefixOf(r.id), country: r.country, note: `world ${config.name}: router ${r.id}${r.city ? ` (${r.city})` : ''}`, asn: as.asn, asName: as.name, registrationCountry: as.registeredIn };
    }),
    { prefix: LAB_PREFIX, country: config.lab.country, note: `world ${config.name}: lab (WLAN routers, phones, management)` },
    { prefix: `${ANYCAST_DNS}/32`, country: null, note: `world ${config.name}: anycast resolver (answered in every region)` },
  ];
  return {
    world: config.name,
    namespaces: [...namespaces.values()],
    veths,
    links,
    attachments,
    host: { ifname: HOST_IFNAME, address: HOST_ADDRESS, gateway: LAB_HOST_SIDE, routes: [WORLD_PREFIX, LAB_PREFIX] },
    routerPaths: table,
    overridePaths,
    corrections,
    ixps: planIxps(config, links),
    nodes,
    services,
    resolvers,
    background,
    testbeds,
    routerResolver: Object.fromEntries(routerIds.map((r) => [r, resolverIdFor(countryOf.get(r) as string)])),
    routerPrefix: Object.fromEntries(routerIds.map((r) => [r, prefixOf(r)])),
  };
}

/** Router-level path a packet from element/router `from` to element/router `to` takes. */
export function plannedPath(plan: WorldPlan, from: string, to: string): string[] {
  const routerOf = (id: string) => plan.attachments.find((a) => a.element === id)?.router ?? id;
  const fr = routerOf(from);
  const tr = routerOf(to);
  const o = plan.overridePaths;
  return o.get(`${fr}>${to}`) ?? o.get(`${from}>${tr}`) ?? o.get(`${fr}>${tr}`) ?? plan.routerPaths.get(fr)?.get(tr) ?? [fr];
}

/** The tunnel modes that run in an emulated world (this kernel has no GRE/IPIP/WireGuard
 *  modules: vxlan in the kernel, WireGuard through wireguard-go). */
export type EmulatedTunnelMode = 'vxlan' | 'wireguard';

/**
 * Testbed t (1-based) of every world: the first runs WireGuard (its router A is the BusyBox
 * router, whose `ip` cannot make vxlan links), the others vxlan, so a world exercises both.
 */
export function tunnelModeOf(t: number): EmulatedTunnelMode {
  return t === 1 ? 'wireguard' : 'vxlan';
}
