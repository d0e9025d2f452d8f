/**
 * What every step derives from its StepContext on the worker: the campaign as loaded from its
 * config file (cached per file and modification time), the app under test, and the attempt's
 * artefact folder `<dataDir>/artefacts/<campaign>/<app>/<nodeA>/<nodeB>/attempt-<n>/`.
 * Artefact paths travel relative to the data folder (the store and the record keep them so).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, loadCampaign, type LoadedApp, type LoadedCampaign } from '../../lib/config';
import { ID_PATTERN } from '../../lib/config/fields';
import type { StepContext } from '../../lib/measurement/payloads';
import { specFiles } from '../../lib/geo/databases';
import type { TracerouteBackend } from '../../drivers/node';
import type { Lab } from '../lab';
import { stepFailure } from './failures';

export interface StepEnv {
  /** Project root: relative config paths resolve against it. */
  baseDir: string;
  /** Data folder: artefacts, baselines, capture handles. */
  dataDir: string;
  /** How the steps reach a testbed's routers, phones and nodes (the worker picks it). */
  lab: Lab;
  /** Traceroute tool on the vantage nodes (default scamper). */
  tracerouteBackend?: TracerouteBackend;
  /** adb server (default 127.0.0.1:5037). */
  adbHost?: string;
  adbPort?: number;
  /** Seconds of the no-app baseline capture per node (default 3). */
  baselineSeconds?: number;
  /** How long the receiver is polled for a message (default 30 s). */
  receiveTimeoutMs?: number;
  /** Largest |phone clock - controller clock| a measurement accepts, ms (default
   *  drivers/phone DEFAULT_MAX_CLOCK_SKEW_MS: 2 s); beyond it the phone fails clock_skew. */
  maxClockSkewMs?: number;
}

/** Loaded campaigns by file, valid while no file it references changed (mtime of each). */
const cache = new Map<string, { stamps: Array<[string, number]>; campaign: LoadedCampaign }>();

/** Every file a loaded campaign was read from: the campaign, nodes, apps, testbeds, geo files and databases. */
export function campaignFiles(c: LoadedCampaign): string[] {
  const geo = [c.geo.interestGroups, c.geo.m49, ...c.geo.corrections, ...(c.geo.peeringdb ?? []), ...c.geo.databases.flatMap(specFiles)].filter((f): f is string => f !== null);
  return [...new Set([c.file, c.nodesFile, ...c.apps.map((a) => a.file), c.testbedsFile, ...geo])];
}

function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1; // gone: differs from any stored mtime, so the reload reports it
  }
}

export function campaignOf(env: StepEnv, ctx: { config: Pick<StepContext['config'], 'path'> }): LoadedCampaign {
  const file = path.resolve(env.baseDir, ctx.config.path);
  try {
    fs.statSync(file);
  } catch (err) {
    throw stepFailure('testbed_unknown', `campaign config ${file} is not readable: ${(err as Error).message}`);
  }
  const hit = cache.get(file);
  if (hit && hit.stamps.every(([f, mtimeMs]) => mtimeOf(f) === mtimeMs)) return hit.campaign;
  let campaign: LoadedCampaign;
  try {
    campaign = loadCampaign(file, { cwd: env.baseDir });
  } catch (err) {
    // a file edited into something invalid mid-campaign: the same every retry (one line, no key)
    if (err instanceof ConfigError) throw stepFailure('config_invalid', err.message);
    throw err;
  }
  const stamps = campaignFiles(campaign).map((f): [string, number] => [f, mtimeOf(f)]);
  cache.set(file, { stamps, campaign });
  return campaign;
}

export function appOf(env: StepEnv, ctx: StepContext): { app: LoadedApp; timerScale: number } {
  const campaign = campaignOf(env, ctx);
  const app = campaign.apps.find((a) => a.id === ctx.app);
  if (!app) throw stepFailure('testbed_unknown', `campaign ${campaign.file} has no app ${ctx.app} (apps: ${campaign.apps.map((a) => a.id).join(', ')})`);
  return { app, timerScale: campaign.campaign.timerScale };
}

/** Longest id the steps take (config ids; also a path part and a Temporal id part). */
export const MAX_ID_LENGTH = 64;

/**
 * An id from an activity's input that becomes a path part: the config id pattern ([a-z0-9-]),
 * at most MAX_ID_LENGTH characters; anything else is refused with `config_invalid` (the input
 * did not come from a loaded config, or was altered on the way).
 */
export function checkId(what: string, id: unknown): string {
  if (typeof id !== 'string' || id.length > MAX_ID_LENGTH || !ID_PATTERN.test(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}...` : id) : typeof id;
    throw stepFailure('config_invalid', `${what}: not an id ([a-z0-9-], at most ${MAX_ID_LENGTH} characters): ${shown}`);
  }
  return id;
}

/** The ids and the attempt number of a step's context, checked at the activity boundary. */
export function checkContext<C extends Pick<StepContext, 'campaign' | 'app' | 'testbed' | 'nodeA' | 'nodeB' | 'attempt'>>(ctx: C): C {
  if (typeof ctx !== 'object' || ctx === null) throw stepFailure('config_invalid', 'step context: not an object');
  checkId('ctx.campaign', ctx.campaign);
  checkId('ctx.app', ctx.app);
  checkId('ctx.testbed', ctx.testbed);
  checkId('ctx.nodeA.id', ctx.nodeA?.id);
  checkId('ctx.nodeB.id', ctx.nodeB?.id);
  if (!Number.isSafeInteger(ctx.attempt) || ctx.attempt < 1) throw stepFailure('config_invalid', `ctx.attempt: not a whole number >= 1: ${JSON.stringify(ctx.attempt)}`);
  return ctx;
}

/**
 * A path the activity input names (a capture file, an artefact) as an absolute path inside the
 * data folder; a path outside it (`..`, absolute elsewhere) is refused with `config_invalid`.
 * The check is on the path's text (the data folder's own files are ours; symlinks are not chased).
 */
export function insideData(env: Pick<StepEnv, 'dataDir'>, p: unknown, what: string): string {
  if (typeof p !== 'string' || p === '' || p.includes('\0')) throw stepFailure('config_invalid', `${what}: not a path: ${JSON.stringify(p)}`);
  const root = path.resolve(env.dataDir);
  const abs = path.resolve(root, p);
  const rel = path.relative(root, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw stepFailure('config_invalid', `${what}: ${JSON.stringify(p)} is not inside the data folder ${root}`);
  return abs;
}

/** Relative to the data folder; ids are [a-z0-9-] (config schema; checked here), so they are safe path parts. */
export function attemptDirRel(ctx: Pick<StepContext, 'campaign' | 'app' | 'nodeA' | 'nodeB' | 'attempt'>): string {
  const parts = [checkId('ctx.campaign', ctx.campaign), checkId('ctx.app', ctx.app), checkId('ctx.nodeA.id', ctx.nodeA.id), checkId('ctx.nodeB.id', ctx.nodeB.id)];
  if (!Number.isSafeInteger(ctx.attempt) || ctx.attempt < 1) throw stepFailure('config_invalid', `ctx.attempt: not a whole number >= 1: ${JSON.stringify(ctx.attempt)}`);
  return path.posix.join('artefacts', ...parts, `attempt-${ctx.attempt}`);
}

export function attemptDir(env: Pick<StepEnv, 'dataDir'>, ctx: StepContext): { abs: string; rel: string } {
  const rel = attemptDirRel(ctx);
  const abs = path.join(env.dataDir, rel);
  fs.mkdirSync(abs, { recursive: true });
  return { abs, rel };
}

/** An absolute path inside the data folder as the record keeps it. */
export function relToData(env: Pick<StepEnv, 'dataDir'>, abs: string): string {
  const rel = path.relative(env.dataDir, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}

/** Short stable id of a measurement attempt, for remote file and interface names. */
export function attemptTag(ctx: Pick<StepContext, 'measurementId' | 'attempt'>): string {
  // FNV-1a: no crypto needed, only distinctness between concurrent measurements.
  let h = 0x811c9dc5;
  for (const ch of ctx.measurementId) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `m${h.toString(16).padStart(8, '0')}-a${ctx.attempt}`;
}
