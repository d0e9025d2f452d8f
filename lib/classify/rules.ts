/**
 * Turns `ClassifierAppRules` into matchers once per classification and checks every entry: a
 * malformed pattern, CIDR block or port is a `ClassifierInputError` naming the key path and value
 * (the config schema should have caught it; this is the last line of defence).
 */
import { cidrContains, compileHostPattern, normalizeName, parseCidr, type Cidr } from './match';
import type { ClassifierAppRules, HostMatch, PortRule } from './types';

export class ClassifierInputError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`classification input ${path}: ${problem}`);
    this.name = 'ClassifierInputError';
  }
}

export const DEFAULT_MIN_MESSAGES_WITHOUT_WHITELIST = 2;

/** The `classification` section of an app file (lib/config/app.ts), structurally. */
export interface AppClassificationSection {
  timeCorrelationWindowSec: number;
  blacklist: { hosts: string[]; cidrs: string[]; ports: PortRule[] };
  whitelist: { hosts: string[]; cidrs: string[] };
}

/** Map the app file's classification section to the classifier's rules (seconds -> ms). */
export function classifierRulesFromAppConfig(section: AppClassificationSection): ClassifierAppRules {
  return {
    blacklist: {
      hosts: [...section.blacklist.hosts],
      cidrs: [...section.blacklist.cidrs],
      ports: section.blacklist.ports.map(({ protocol, port }) => ({ protocol, port })),
    },
    whitelist: { hosts: [...section.whitelist.hosts], cidrs: [...section.whitelist.cidrs] },
    timers: { correlationWindowMs: Math.round(section.timeCorrelationWindowSec * 1000) },
  };
}

interface HostRule {
  pattern: string;
  regex: RegExp;
}

export interface CompiledRules {
  blacklistHosts: HostRule[];
  blacklistCidrs: Cidr[];
  blacklistPorts: PortRule[];
  whitelistHosts: HostRule[];
  whitelistCidrs: Cidr[];
  windowMs: number;
  minMessagesWithoutWhitelist: number;
}

export function compileRules(rules: ClassifierAppRules): CompiledRules {
  const { correlationWindowMs, minMessagesWithoutWhitelist = DEFAULT_MIN_MESSAGES_WITHOUT_WHITELIST } = rules.timers;
  if (!Number.isFinite(correlationWindowMs) || correlationWindowMs < 0) {
    throw new ClassifierInputError('rules.timers.correlationWindowMs', `not a duration in ms: ${JSON.stringify(correlationWindowMs)}`);
  }
  if (!Number.isInteger(minMessagesWithoutWhitelist) || minMessagesWithoutWhitelist < 1) {
    throw new ClassifierInputError('rules.timers.minMessagesWithoutWhitelist', `not a whole number >= 1: ${JSON.stringify(minMessagesWithoutWhitelist)}`);
  }
  return {
    blacklistHosts: hostRules(rules.blacklist.hosts, 'rules.blacklist.hosts'),
    blacklistCidrs: cidrs(rules.blacklist.cidrs, 'rules.blacklist.cidrs'),
    blacklistPorts: rules.blacklist.ports.map((rule, i) => portRule(rule, `rules.blacklist.ports[${i}]`)),
    whitelistHosts: hostRules(rules.whitelist.hosts, 'rules.whitelist.hosts'),
    whitelistCidrs: cidrs(rules.whitelist.cidrs, 'rules.whitelist.cidrs'),
    windowMs: correlationWindowMs,
    minMessagesWithoutWhitelist,
  };
}

function hostRules(patterns: string[], path: string): HostRule[] {
  return patterns.map((pattern, i) => {
    try {
      return { pattern, regex: compileHostPattern(pattern) };
    } catch (error) {
      throw new ClassifierInputError(`${path}[${i}]`, (error as Error).message);
    }
  });
}

function cidrs(blocks: string[], path: string): Cidr[] {
  return blocks.map((block, i) => {
    try {
      return parseCidr(block);
    } catch (error) {
      throw new ClassifierInputError(`${path}[${i}]`, (error as Error).message);
    }
  });
}

function portRule(rule: PortRule, path: string): PortRule {
  if (rule.protocol !== 'tcp' && rule.protocol !== 'udp') throw new ClassifierInputError(`${path}.protocol`, `not "tcp" or "udp": ${JSON.stringify(rule.protocol)}`);
  if (!Number.isInteger(rule.port) || rule.port < 0 || rule.port > 65535) throw new ClassifierInputError(`${path}.port`, `not a port number: ${JSON.stringify(rule.port)}`);
  return { protocol: rule.protocol, port: rule.port };
}

/** The first (pattern, name) pair that matches, patterns in list order, names in flow order. */
export function matchHost(rules: HostRule[], names: readonly string[]): HostMatch | null {
  for (const rule of rules) {
    const name = names.find((n) => rule.regex.test(normalizeName(n)));
    if (name !== undefined) return { pattern: rule.pattern, name };
  }
  return null;
}

export function matchCidr(blocks: Cidr[], address: string): string | null {
  return blocks.find((block) => cidrContains(block, address))?.text ?? null;
}

export function matchPort(rules: PortRule[], protocol: 'tcp' | 'udp', port: number): string | null {
  return rules.some((r) => r.protocol === protocol && r.port === port) ? `${protocol}/${port}` : null;
}
