/**
 * Reading config files from disk and resolving the references between them
 * (campaign -> nodes, apps, testbeds, geo). Relative references are resolved against the
 * directory of the referencing file; a bad reference is reported at the referencing key, a bad
 * referenced file at its own key path with `(referenced by <file> <key>)` appended.
 */
import * as nodeFs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { z } from 'zod';
import { defaultM49, loadM49 } from './geo-tables';
import { DEFAULT_DATABASES, openDatabase, resolvePackage, type DatabaseSpec } from '../geo/databases';
import { parseCorrections } from '../geo/corrections';
import { asSource, asSources, checkAsSource, DEFAULT_ASN_PACKAGE, DEFAULT_REGISTRATION_PACKAGE, type AsSourceSpec } from '../geo/as-sources';
import type { RangeKind } from '../geo/asn';
import { parseInterestGroups } from '../geo/groups';
import { parseM49 } from '../geo/m49';
import { parsePeeringDb } from '../geo/peeringdb';
import type { CountryInfo } from '../types';
import { type AppFile, appFileSchema, APP_SCHEMA } from './app';
import { type CampaignFile, campaignFileSchema, CAMPAIGN_SCHEMA } from './campaign';
import { ConfigError, formatKeyPath, type KeyPath } from './errors';
import { type NodeConfig, nodesFileSchema, nodeUnderlayAddress, NODES_SCHEMA } from './nodes';
import { parseYaml, validate, type ParsedYaml } from './parse';
import { subnetContains, type TestbedConfig, testbedsFileSchema, TESTBEDS_SCHEMA } from './testbeds';

/** File access, replaceable for tests or for configs that do not live on a disk. */
export interface ConfigFs {
  readFile(absolutePath: string): string;
  exists(absolutePath: string): boolean;
}

export interface LoadOptions {
  /** Directory file names are resolved against and shown relative to (default: process.cwd()). */
  cwd?: string;
  fs?: ConfigFs;
}

export interface LoadedNodes {
  file: string; // absolute
  description?: string;
  nodes: NodeConfig[];
}

export interface LoadedApp extends AppFile {
  file: string; // absolute
  /** The versionName the campaign pins (its `apps` entry `{ file, version }`); absent: any version. */
  pinnedVersion?: string;
}

export interface LoadedTestbeds {
  file: string; // absolute
  description?: string;
  /** identityFile / knownHostsFile of real testbeds are absolute paths here */
  testbeds: TestbedConfig[];
}

export interface LoadedGeo {
  /** absolute paths; null / [] = use the shipped defaults under configs/geo */
  interestGroups: string | null;
  corrections: string[];
  m49: string | null;
  /** PeeringDB dumps, absolute paths; [] = no IXP marks */
  peeringdb: string[];
  /** `geo.databases` with absolute file paths, in order; DEFAULT_DATABASES when the campaign names none. */
  databases: DatabaseSpec[];
  /** AS tables in order (csv paths absolute); the default packages when the campaign names none */
  asn: AsSourceSpec[];
  registrationCountry: AsSourceSpec[];
}

/** A campaign with every reference resolved and validated; plain JSON (activity result). */
export interface LoadedCampaign {
  file: string; // absolute
  campaign: CampaignFile;
  nodesFile: string;
  /** the selected nodes, in the order of the nodes file */
  nodes: NodeConfig[];
  /** M49 areas of every country of the selected nodes */
  countries: Record<string, CountryInfo>;
  apps: LoadedApp[];
  testbedsFile: string;
  /** the selected testbeds, in the order of the testbeds file */
  testbeds: TestbedConfig[];
  geo: LoadedGeo;
}

export type AnyLoadedConfig =
  | { kind: 'campaign'; config: LoadedCampaign }
  | { kind: 'app'; config: LoadedApp }
  | { kind: 'nodes'; config: LoadedNodes }
  | { kind: 'testbeds'; config: LoadedTestbeds };

const diskFs: ConfigFs = {
  readFile: (p) => nodeFs.readFileSync(p, 'utf8'),
  exists: (p) => nodeFs.existsSync(p),
};

interface Context {
  cwd: string;
  fs: ConfigFs;
}

function context(options: LoadOptions = {}): Context {
  return { cwd: options.cwd ?? process.cwd(), fs: options.fs ?? diskFs };
}

/** How a file is named in messages: relative to the working directory when inside it. */
export function displayPath(absolutePath: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, absolutePath);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolutePath;
}

function readText(absolutePath: string, ctx: Context): string {
  try {
    return ctx.fs.readFile(absolutePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : ((err as Error).message ?? String(err));
    throw new ConfigError({ file: displayPath(absolutePath, ctx.cwd), keyPath: [], where: '', problem: `cannot read config file: ${why}`, showValue: false });
  }
}

function readParsed(absolutePath: string, ctx: Context): ParsedYaml {
  return parseYaml(readText(absolutePath, ctx), displayPath(absolutePath, ctx.cwd));
}

function load<S extends z.ZodType>(schema: S, absolutePath: string, ctx: Context): z.output<S> {
  return validate(schema, readParsed(absolutePath, ctx), displayPath(absolutePath, ctx.cwd));
}

/** A reference from `fromFile` at `keyPath`: resolved, and checked to exist. */
function resolveRef(ref: string, fromFile: string, keyPath: KeyPath, ctx: Context): string {
  const target = path.resolve(path.dirname(fromFile), ref);
  if (!ctx.fs.exists(target)) {
    throw new ConfigError({
      file: displayPath(fromFile, ctx.cwd),
      keyPath,
      problem: `file not found (looked for ${displayPath(target, ctx.cwd)}; paths are relative to this file)`,
      value: ref,
    });
  }
  return target;
}

/** Load a referenced file; its own errors get `(referenced by <file> <key>)`. */
function loadVia<T>(fromFile: string, keyPath: KeyPath, ctx: Context, loader: () => T): T {
  try {
    return loader();
  } catch (err) {
    if (err instanceof ConfigError) throw err.withVia(`${displayPath(fromFile, ctx.cwd)} ${formatKeyPath(keyPath)}`);
    throw err;
  }
}

export function loadNodesFile(file: string, options?: LoadOptions): LoadedNodes {
  const ctx = context(options);
  const absolute = path.resolve(ctx.cwd, file);
  const parsed = load(nodesFileSchema, absolute, ctx);
  // Key files as for testbeds: `~/` and relative to this file, resolved but not read here.
  const resolvePathRef = (p: string) => path.resolve(path.dirname(absolute), expandHome(p));
  const nodes = parsed.nodes.map((node): NodeConfig => {
    if (!node.ssh) return node;
    const ssh = { ...node.ssh };
    if (ssh.identityFile !== undefined) ssh.identityFile = resolvePathRef(ssh.identityFile);
    if (ssh.knownHostsFile !== undefined) ssh.knownHostsFile = resolvePathRef(ssh.knownHostsFile);
    return { ...node, ssh };
  });
  return { file: absolute, ...(parsed.description ? { description: parsed.description } : {}), nodes };
}

export function loadAppFile(file: string, options?: LoadOptions): LoadedApp {
  const ctx = context(options);
  const absolute = path.resolve(ctx.cwd, file);
  return { ...load(appFileSchema, absolute, ctx), file: absolute };
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

export function loadTestbedsFile(file: string, options?: LoadOptions): LoadedTestbeds {
  const ctx = context(options);
  const absolute = path.resolve(ctx.cwd, file);
  const parsed = load(testbedsFileSchema, absolute, ctx);
  const dir = path.dirname(absolute);
  // Key files are resolved but not read or checked here: only the router driver touches them.
  const resolvePathRef = (p: string) => path.resolve(dir, expandHome(p));
  const testbeds = parsed.testbeds.map((tb): TestbedConfig => {
    if (tb.kind !== 'real') return tb;
    const routers = { A: { ...tb.routers.A }, B: { ...tb.routers.B } };
    for (const r of [routers.A, routers.B]) {
      r.identityFile = resolvePathRef(r.identityFile);
      r.knownHostsFile = resolvePathRef(r.knownHostsFile);
    }
    return { ...tb, routers };
  });
  return { file: absolute, ...(parsed.description ? { description: parsed.description } : {}), testbeds };
}

export function loadCampaign(file: string, options?: LoadOptions): LoadedCampaign {
  const ctx = context(options);
  const absolute = path.resolve(ctx.cwd, file);
  const shown = displayPath(absolute, ctx.cwd);
  const parsed = readParsed(absolute, ctx);
  const campaign = validate(campaignFileSchema, parsed, shown);
  const refError = (keyPath: KeyPath, problem: string, value: unknown) =>
    new ConfigError({ file: shown, keyPath, problem, value, line: parsed.lineOf(keyPath) ?? undefined });

  const nodesFile = resolveRef(campaign.nodes.file, absolute, ['nodes', 'file'], ctx);
  const allNodes = loadVia(absolute, ['nodes', 'file'], ctx, () => loadNodesFile(nodesFile, ctx)).nodes;
  const nodeIds = new Set(allNodes.map((n) => n.id));
  campaign.nodes.select?.forEach((nodeId, i) => {
    if (!nodeIds.has(nodeId)) throw refError(['nodes', 'select', i], `expected a node id of ${displayPath(nodesFile, ctx.cwd)}`, nodeId);
  });
  const selectedNodes = campaign.nodes.select ? new Set(campaign.nodes.select) : null;
  const nodes = allNodes.filter((n) => !selectedNodes || selectedNodes.has(n.id));

  const apps: LoadedApp[] = [];
  campaign.apps.forEach((entry, i) => {
    const ref = typeof entry === 'string' ? entry : entry.file;
    const keyPath: KeyPath = typeof entry === 'string' ? ['apps', i] : ['apps', i, 'file'];
    const appFile = resolveRef(ref, absolute, keyPath, ctx);
    const app = loadVia(absolute, keyPath, ctx, () => loadAppFile(appFile, ctx));
    const clash = apps.findIndex((a) => a.id === app.id);
    if (clash >= 0) throw refError(keyPath, `expected an app whose id is not already used by apps[${clash}] ("${app.id}")`, ref);
    apps.push(typeof entry === 'string' ? app : { ...app, pinnedVersion: entry.version });
  });

  const testbedsFile = resolveRef(campaign.testbeds.file, absolute, ['testbeds', 'file'], ctx);
  const allTestbeds = loadVia(absolute, ['testbeds', 'file'], ctx, () => loadTestbedsFile(testbedsFile, ctx)).testbeds;
  const testbedIds = new Set(allTestbeds.map((t) => t.id));
  campaign.testbeds.select?.forEach((testbedId, i) => {
    if (!testbedIds.has(testbedId)) throw refError(['testbeds', 'select', i], `expected a testbed id of ${displayPath(testbedsFile, ctx.cwd)}`, testbedId);
  });
  const selectedTestbeds = campaign.testbeds.select ? new Set(campaign.testbeds.select) : null;
  const testbeds = allTestbeds.filter((t) => !selectedTestbeds || selectedTestbeds.has(t.id));

  checkNodeUnderlays(nodes, testbeds, allTestbeds, testbedsFile, absolute, ctx);

  // Geo files are read and validated now, not when the first measurement is geolocated.
  const checkAsTable = (spec: AsSourceSpec, keyPath: KeyPath, kind: RangeKind): AsSourceSpec => {
    const key: KeyPath = [...keyPath, 'package' in spec ? 'package' : 'csv'];
    const resolved = 'csv' in spec ? { ...spec, csv: resolveRef(spec.csv, absolute, key, ctx) } : spec;
    try {
      checkAsSource(asSource(resolved, kind)); // parsed once per process: the step reuses it
    } catch (err) {
      throw refError(key, (err as Error).message.replace(`${'csv' in resolved ? resolved.csv : ''}: `, `${'csv' in resolved ? displayPath(resolved.csv, ctx.cwd) : ''}: `), 'csv' in spec ? spec.csv : spec.package);
    }
    return resolved;
  };
  const geoRef = (ref: string | undefined, keyPath: KeyPath, parse: GeoParser, format: 'yaml' | 'json' = 'yaml') => {
    if (ref === undefined) return null;
    const target = resolveRef(ref, absolute, keyPath, ctx);
    loadVia(absolute, keyPath, ctx, () => checkGeoFile(target, parse, ctx, format));
    return target;
  };
  const geo: LoadedGeo = {
    interestGroups: geoRef(campaign.geo?.interestGroups, ['geo', 'interestGroups'], parseInterestGroups),
    corrections: (campaign.geo?.corrections ?? []).map((ref, i) => geoRef(ref, ['geo', 'corrections', i], parseCorrections) as string),
    m49: geoRef(campaign.geo?.m49, ['geo', 'm49'], parseM49),
    // JSON, often tens of MB: checked by the PeeringDB reader itself, not through the YAML limits.
    peeringdb: (campaign.geo?.peeringdb ?? []).map((ref, i) => geoRef(ref, ['geo', 'peeringdb', i], parsePeeringDb, 'json') as string),
    databases: loadDatabases(campaign.geo?.databases, (ref, keyPath) => resolveRef(ref, absolute, keyPath, ctx), refError),
    asn: (campaign.geo?.asn ?? []).map((spec, i) => checkAsTable(spec, ['geo', 'asn', i], 'asn')),
    registrationCountry: (campaign.geo?.registrationCountry ?? []).map((spec, i) => checkAsTable(spec, ['geo', 'registrationCountry', i], 'country')),
  };
  if (geo.asn.length === 0 || geo.registrationCountry.length === 0) {
    try {
      asSources(geo); // the default packages: installed? (parsed at the first lookup)
    } catch (err) {
      throw new ConfigError({ file: shown, keyPath: ['geo'], problem: `the default AS tables: ${(err as Error).message}`, showValue: false });
    }
  }
  // Written out, as `databases` is: what was used is in the loaded campaign, not implied by [].
  if (geo.asn.length === 0) geo.asn = [{ package: DEFAULT_ASN_PACKAGE }];
  if (geo.registrationCountry.length === 0) geo.registrationCountry = [{ package: DEFAULT_REGISTRATION_PACKAGE }];

  const m49 = geo.m49 ? loadM49(geo.m49) : defaultM49();
  const countries: Record<string, CountryInfo> = {};
  for (const node of nodes) {
    const info = m49.countryInfo(node.country) ?? defaultM49().countryInfo(node.country);
    if (info) countries[node.country] = info; // always found: the nodes schema checked it
  }
  return { file: absolute, campaign, nodesFile, nodes, countries, apps, testbedsFile, testbeds, geo };
}

type GeoParser = (text: string, file: string) => unknown;

/**
 * `geo.databases`, checked now: a missing file, a package that is not installed or a file the
 * reader refuses (corrupt MMDB, not a BIN) stops the campaign at load, naming the key. Named
 * databases are opened here (once per process, lib/geo/databases.ts caches them); the default
 * package is only resolved, so that loading a campaign without `geo.databases` stays cheap.
 */
function loadDatabases(
  entries: readonly DatabaseSpec[] | undefined,
  resolve: (ref: string, keyPath: KeyPath) => string,
  refError: (keyPath: KeyPath, problem: string, value: unknown) => ConfigError,
): DatabaseSpec[] {
  if (entries === undefined) {
    for (const spec of DEFAULT_DATABASES) {
      if (typeof spec === 'object' && 'package' in spec) {
        try {
          resolvePackage(spec.package);
        } catch (err) {
          throw refError(['geo'], `the default geolocation database: ${(err as Error).message}`, spec.package);
        }
      }
    }
    return [...DEFAULT_DATABASES];
  }
  return entries.map((entry, i): DatabaseSpec => {
    const base: KeyPath = ['geo', 'databases', i];
    let spec: DatabaseSpec = entry;
    let keyPath = base;
    let value: unknown = entry;
    if (typeof entry === 'object' && 'mmdb' in entry) {
      keyPath = [...base, 'mmdb'];
      value = entry.mmdb;
      spec = { ...entry, mmdb: resolve(entry.mmdb, keyPath) };
    } else if (typeof entry === 'object' && 'ip2location' in entry) {
      keyPath = [...base, 'ip2location'];
      value = entry.ip2location;
      spec = { ...entry, ip2location: resolve(entry.ip2location, keyPath) };
    } else if (typeof entry === 'object') {
      keyPath = [...base, 'package'];
      value = entry.package;
    }
    try {
      openDatabase(spec).close();
    } catch (err) {
      throw refError(keyPath, `unusable geolocation database: ${(err as Error).message}`, value);
    }
    return spec;
  });
}

/** A geo table (lib/geo parses it): YAML limits as for every config, then its own checks, whose
 *  plain Errors (`<file>: <where> <what>`) become ConfigErrors naming the file. */
function checkGeoFile(absolutePath: string, parse: GeoParser, ctx: Context, format: 'yaml' | 'json'): void {
  const shown = displayPath(absolutePath, ctx.cwd);
  if (format === 'yaml') readParsed(absolutePath, ctx);
  const text = readText(absolutePath, ctx);
  try {
    parse(text, shown);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const problem = message.startsWith(`${shown}: `) ? message.slice(shown.length + 2) : message;
    throw new ConfigError({ file: shown, keyPath: [], where: '', problem, showValue: false });
  }
}

/**
 * No vantage node's underlay address may lie in a selected router's phone subnet: the router
 * routes the subnet into the tunnel, so the tunnel's own packets to the node would go in there too.
 * Reported at the router's phoneSubnet in the testbeds file.
 */
function checkNodeUnderlays(nodes: NodeConfig[], selected: TestbedConfig[], all: TestbedConfig[], testbedsFile: string, campaignFile: string, ctx: Context): void {
  for (const tb of selected) {
    if (tb.kind !== 'real') continue;
    for (const side of ['A', 'B'] as const) {
      const subnet = tb.routers[side].phoneSubnet;
      const node = nodes.find((n) => {
        const underlay = nodeUnderlayAddress(n);
        return underlay !== null && subnetContains(subnet, underlay);
      });
      if (!node) continue;
      throw new ConfigError({
        file: displayPath(testbedsFile, ctx.cwd),
        keyPath: ['testbeds', all.indexOf(tb), 'routers', side, 'phoneSubnet'],
        problem: `expected a phone subnet that does not contain node ${node.id}'s underlay address ${nodeUnderlayAddress(node)} (its tunnel would be routed into itself)`,
        value: subnet,
      }).withVia(`${displayPath(campaignFile, ctx.cwd)} testbeds.file`);
    }
  }
}

const LOADERS: Record<string, (file: string, options?: LoadOptions) => AnyLoadedConfig> = {
  [CAMPAIGN_SCHEMA]: (f, o) => ({ kind: 'campaign', config: loadCampaign(f, o) }),
  [APP_SCHEMA]: (f, o) => ({ kind: 'app', config: loadAppFile(f, o) }),
  [NODES_SCHEMA]: (f, o) => ({ kind: 'nodes', config: loadNodesFile(f, o) }),
  [TESTBEDS_SCHEMA]: (f, o) => ({ kind: 'testbeds', config: loadTestbedsFile(f, o) }),
};
export const CONFIG_SCHEMAS = Object.keys(LOADERS);

/** Load any config file, dispatching on its `schema:` key. */
export function loadConfigFile(file: string, options?: LoadOptions): AnyLoadedConfig {
  const ctx = context(options);
  const absolute = path.resolve(ctx.cwd, file);
  const { data, lineOf } = readParsed(absolute, ctx);
  const schema = data !== null && typeof data === 'object' ? (data as { schema?: unknown }).schema : undefined;
  const loader = typeof schema === 'string' ? LOADERS[schema] : undefined;
  if (!loader) {
    throw new ConfigError({
      file: displayPath(absolute, ctx.cwd),
      keyPath: ['schema'],
      problem: `expected one of ${CONFIG_SCHEMAS.map((s) => JSON.stringify(s)).join(', ')}`,
      value: schema,
      line: lineOf(['schema']) ?? undefined,
    });
  }
  return loader(absolute, ctx);
}
