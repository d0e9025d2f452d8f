/**
 * World definitions (configs/worlds/*.yaml, schema `matador.world/v1`): routers per country,
 * the links between them, path detours, vantage nodes, service backends, resolvers, background
 * services, testbeds and faults. This module only parses and validates; address-plan.ts turns a
 * config into namespaces, addresses and routes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configsDir } from '../../lib/project-paths';
import { linkOf } from './ixps';
import { routerAsPlan } from './as-plan';

const ELEMENT_ID = /^[a-z][a-z0-9-]{0,11}$/; // "mt-" + id must fit Linux's 15-character ifname
const RESERVED_IDS = new Set(['host', 'usb', 'lab', 'lo']);
const elementId = z
  .string()
  .regex(ELEMENT_ID, 'ids are lower-case letters, digits and "-", at most 12 characters, starting with a letter')
  .refine((id) => !RESERVED_IDS.has(id), 'id is reserved (host, usb, lab, lo)');
const country = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, upper case');
const dnsName = z.string().regex(/^[A-Za-z0-9.-]+$/, 'DNS name');

/** The router's AS (default: a private-use ASN in router order, registered in the router's
 *  country; testbed/world/as-plan.ts). `registeredIn` may differ from `country`: a carrier's PoP
 *  abroad keeps the address block its home RIR delegated. */
const routerAsSchema = z.object({ asn: z.number().int().min(0).max(4294967295), name: z.string().min(1), registeredIn: country }).strict();
const routerSchema = z.object({ id: elementId, country, city: z.string().optional(), as: routerAsSchema.optional() });
const linkSchema = z.object({
  a: elementId,
  b: elementId,
  cost: z.number().positive().default(10),
  /** One-way delay added with netem on both ends (ms); 0 = none. */
  delayMs: z.number().min(0).default(0),
  /** A private link of one of its two routers: only paths that start or end at that router may
   *  use it (e.g. Zurich's direct path to Hong Kong that no one else transits). */
  private: elementId.optional(),
});
const pathSchema = z.object({
  from: z.array(elementId).min(1),
  /** A router id (all its prefixes) or an attached element id (that element only). */
  to: elementId,
  via: z.array(elementId).min(1),
  symmetric: z.boolean().default(true),
  why: z.string().optional(),
});
/** An Internet exchange on some links (testbed/world/ixps.ts: the veths stand for its peering
 *  LAN; the world writes a PeeringDB dump of it). `id` is its PeeringDB ix id in that dump. */
const ixpSchema = z.object({
  id: z.number().int().min(1).max(999999),
  name: z.string().min(1),
  country,
  city: z.string().optional(),
  /** links as "a~b" (router ids, either order) */
  links: z.array(z.string().regex(/^[a-z][a-z0-9-]*~[a-z][a-z0-9-]*$/, 'a link "a~b" (router ids)')).min(1),
});
const attachedSchema = z.object({ id: elementId, router: elementId });
const serviceSchema = attachedSchema.extend({
  app: z.string().min(1),
  names: z.array(dnsName).default([]),
  /** Resolver ids that answer the names with this backend; absent = every resolver. */
  resolvers: z.array(elementId).optional(),
  /** Free-form options handed to the backend's start function (ports, TLS, ...). */
  options: z.record(z.string(), z.unknown()).default({}),
});
const resolverSchema = attachedSchema.extend({
  /** Which vantage nodes use this resolver: by country first, then by M49 region. */
  countries: z.array(country).default([]),
  regions: z.array(z.string()).default([]),
});
const backgroundSchema = attachedSchema.extend({
  kind: z.enum(['ntp', 'http204', 'tcp-echo', 'udp-echo']),
  port: z.number().int().min(1).max(65535).optional(),
  names: z.array(dnsName).default([]),
});
export const FAULT_KINDS = [
  'link-loss', 'link-delay', 'tunnel-down', 'tcpdump-kill', 'backend-down', 'adb-disconnect', 'adb-slow', 'app-missing',
  'adb-unauthorized', 'location-provider-missing', 'clock-skew', 'ui-dump-flaky', 'screen-locked', 'app-version',
  'capture-corrupt', 'tcpdump-missing', 'sudo-password',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
const faultSchema = z.object({
  kind: z.enum(FAULT_KINDS),
  target: z.string().min(1),
  /** loss percent, delay ms, adb slowness ms, or clock skew ms, depending on kind */
  value: z.number().min(0).optional(),
});

export const worldConfigSchema = z
  .object({
    schema: z.literal('matador.world/v1'),
    name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/),
    description: z.string().optional(),
    nodes: z.object({ file: z.string(), only: z.array(z.string()).optional() }),
    /** Node -> router; default: the first router of the node's country. */
    nodeRouters: z.record(z.string(), elementId).default({}),
    routers: z.array(routerSchema).min(1),
    links: z.array(linkSchema),
    paths: z.array(pathSchema).default([]),
    lab: z.object({ router: elementId, country }),
    testbeds: z.number().int().min(0).max(50).default(1),
    services: z.array(serviceSchema).default([]),
    resolvers: z.array(resolverSchema).default([]),
    background: z.array(backgroundSchema).default([]),
    faults: z.array(faultSchema).default([]),
    ixps: z.array(ixpSchema).default([]),
    /** Router A of the first testbed is the OpenWrt-like Dropbear + BusyBox router
     *  (testbed/dropbear.ts). Default OPENWRT_FIRST_ROUTER_DEFAULT (testbed/world/elements.ts). */
    openwrtRouter: z.boolean().optional(),
  })
  .strict();

export type WorldConfig = z.infer<typeof worldConfigSchema>;
export type RouterConfig = z.infer<typeof routerSchema>;
export type LinkConfig = z.infer<typeof linkSchema>;
export type PathConfig = z.infer<typeof pathSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type ResolverConfig = z.infer<typeof resolverSchema>;
export type BackgroundConfig = z.infer<typeof backgroundSchema>;
export type FaultConfig = z.infer<typeof faultSchema>;
export type IxpConfig = z.infer<typeof ixpSchema>;

export interface WorldNode {
  id: string;
  country: string;
  city?: string;
  latitude: number;
  longitude: number;
}

const nodesFileSchema = z.object({
  schema: z.literal('matador.nodes/v1'),
  nodes: z.array(z.object({ id: elementId, country, city: z.string().optional(), latitude: z.number(), longitude: z.number() })),
});

/** A config plus everything it refers to (nodes file, M49 regions), validated together. */
export interface LoadedWorld {
  file: string;
  config: WorldConfig;
  nodes: WorldNode[];
  /** country code -> M49 region, for choosing a node's resolver */
  regionOf: Record<string, string>;
}

export const worldConfigDir = path.join(configsDir, 'worlds');

/** A world name (configs/worlds/<name>.yaml) or a path to a YAML file. */
export function resolveWorldFile(nameOrFile: string): string {
  if (nameOrFile.endsWith('.yaml') || nameOrFile.includes('/')) return path.resolve(nameOrFile);
  return path.join(worldConfigDir, `${nameOrFile}.yaml`);
}

function formatZodIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export function loadM49Regions(file = path.join(configsDir, 'geo', 'm49.yaml')): Record<string, string> {
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as { groups?: { region: string; countries: Record<string, string> }[] };
  const out: Record<string, string> = {};
  for (const g of doc.groups ?? []) for (const code of Object.keys(g.countries ?? {})) out[code] = g.region;
  return out;
}

export function loadWorld(nameOrFile: string): LoadedWorld {
  const file = resolveWorldFile(nameOrFile);
  if (!fs.existsSync(file)) throw new Error(`world config ${file} does not exist`);
  const raw: unknown = parseYaml(fs.readFileSync(file, 'utf8'));
  const parsed = worldConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`world config ${file}: ${formatZodIssues(parsed.error)}`);
  const config = parsed.data;
  const nodesFile = path.resolve(path.dirname(file), config.nodes.file);
  const nodesParsed = nodesFileSchema.safeParse(parseYaml(fs.readFileSync(nodesFile, 'utf8')));
  if (!nodesParsed.success) throw new Error(`nodes file ${nodesFile}: ${formatZodIssues(nodesParsed.error)}`);
  let nodes: WorldNode[] = nodesParsed.data.nodes;
  if (config.nodes.only) {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    nodes = config.nodes.only.map((id) => {
      const n = byId.get(id);
      if (!n) throw new Error(`world config ${file}: nodes.only names ${id}, which ${nodesFile} does not list`);
      return n;
    });
  }
  const loaded: LoadedWorld = { file, config, nodes, regionOf: loadM49Regions() };
  validateReferences(loaded);
  try {
    routerAsPlan(config);
  } catch (err) {
    throw new Error(`world config ${file}: ${(err as Error).message}`);
  }
  return loaded;
}

/** Cross-references the schema cannot check: ids unique, every reference names something. */
export function validateReferences(world: LoadedWorld): void {
  const { config, file } = world;
  const fail = (what: string): never => {
    throw new Error(`world config ${file}: ${what}`);
  };
  const routers = new Set(config.routers.map((r) => r.id));
  const seen = new Set<string>();
  const all = [
    ...config.routers.map((r) => r.id),
    ...world.nodes.map((n) => n.id),
    ...config.services.map((s) => s.id),
    ...config.resolvers.map((r) => r.id),
    ...config.background.map((b) => b.id),
  ];
  for (const id of all) {
    if (seen.has(id)) fail(`id ${id} is used twice (ids are unique across routers, nodes, services, resolvers, background)`);
    if (/^tb\d+-/.test(id)) fail(`id ${id}: ids starting with tb<N>- are reserved for testbed elements`);
    seen.add(id);
  }
  const needRouter = (id: string, where: string) => {
    if (!routers.has(id)) fail(`${where} names router ${id}, which routers does not define`);
  };
  config.links.forEach((l, i) => {
    needRouter(l.a, `links[${i}].a`);
    needRouter(l.b, `links[${i}].b`);
    if (l.a === l.b) fail(`links[${i}] connects ${l.a} with itself`);
    if (l.private !== undefined && l.private !== l.a && l.private !== l.b) fail(`links[${i}].private is ${l.private}, which is neither end of the link`);
  });
  needRouter(config.lab.router, 'lab.router');
  for (const [kind, list] of [['services', config.services], ['resolvers', config.resolvers], ['background', config.background]] as const) {
    list.forEach((e, i) => needRouter(e.router, `${kind}[${i}].router`));
  }
  for (const [node, router] of Object.entries(config.nodeRouters)) {
    if (!world.nodes.some((n) => n.id === node)) fail(`nodeRouters names node ${node}, which is not in the world`);
    needRouter(router, `nodeRouters.${node}`);
  }
  for (const n of world.nodes) {
    if (!config.nodeRouters[n.id] && !config.routers.some((r) => r.country === n.country)) {
      fail(`node ${n.id} (${n.country}) has no router in its country; add one or map it in nodeRouters`);
    }
  }
  const resolverIds = new Set(config.resolvers.map((r) => r.id));
  config.services.forEach((s, i) =>
    (s.resolvers ?? []).forEach((r) => {
      if (!resolverIds.has(r)) fail(`services[${i}].resolvers names ${r}, which resolvers does not define`);
    }),
  );
  const onIxp = new Map<number, number>();
  config.ixps.forEach((x, i) => {
    if (config.ixps.findIndex((o) => o.id === x.id) !== i) fail(`ixps[${i}].id ${x.id} is used twice`);
    x.links.forEach((ref, j) => {
      const link = linkOf(config.links, ref);
      if (link < 0) fail(`ixps[${i}].links[${j}] names ${ref}, which links does not define`);
      if (onIxp.has(link)) fail(`ixps[${i}].links[${j}]: link ${ref} is already on ixps[${onIxp.get(link)}]`);
      onIxp.set(link, i);
    });
  });
  config.paths.forEach((p, i) => {
    p.from.forEach((f) => needRouter(f, `paths[${i}].from`));
    p.via.forEach((v) => needRouter(v, `paths[${i}].via`));
    if (!seen.has(p.to)) fail(`paths[${i}].to names ${p.to}, which is neither a router nor an element`);
  });
}
