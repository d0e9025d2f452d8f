/** Helpers for the world tests: run the real CLI, geolocate hops with the exported corrections. */
import * as fs from 'fs';
import { loadCorrections as loadGeoCorrections } from '../../lib/config/geo-tables';
import { CorrectionsTable } from '../../lib/geo/corrections';
import { parseIp } from '../../lib/geo/ip';
import { matador, runCmd, type CliRun } from '../support/matador-cli';

/** `bin/matador ARGS` for the world tests: bounded (default 3 min) so a hanging `testbed up` fails. */
export function runCli(args: string[], timeoutMs = 180_000): Promise<CliRun> {
  return matador(args, { timeoutMs });
}

/** The world's exported corrections, read with the project's geolocation code (lib/geo). */
export function loadCorrections(file: string): CorrectionsTable {
  return new CorrectionsTable(loadGeoCorrections(file));
}

export function countryOf(corrections: CorrectionsTable, ip: string): string | null {
  const parsed = parseIp(ip);
  if (!parsed) throw new Error(`hop ${ip} is not an IP address`);
  return corrections.lookup(parsed)?.country ?? null;
}

/** `traceroute -n` inside an element's namespace (via `matador testbed exec`): the hop addresses. */
export async function traceHops(from: string, target: string, extra: string[] = []): Promise<string[]> {
  const r = await runCli(['testbed', 'exec', from, '--', 'traceroute', '-n', '-q', '1', '-w', '1', '-m', '15', ...extra, target]);
  if (r.code !== 0) throw new Error(`traceroute from ${from} to ${target} failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[1])
    .filter((x): x is string => x !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(x));
}

/** Countries along the hops, consecutive duplicates merged. */
export function countryPath(corrections: CorrectionsTable, hops: string[]): (string | null)[] {
  const out: (string | null)[] = [];
  for (const h of hops) {
    const c = countryOf(corrections, h);
    if (out[out.length - 1] !== c) out.push(c);
  }
  return out;
}

export async function mtNamespaces(): Promise<string[]> {
  const r = await runCmd(['ip', 'netns', 'list']);
  return r.stdout.split('\n').map((l) => l.split(/\s+/)[0]).filter((n) => n.startsWith('mt-'));
}

/** Processes whose command line names the world directory. */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}


/** `matador testbed down`; throws with its stderr when it fails. */
export async function takeWorldDown(): Promise<void> {
  const down = await runCli(['testbed', 'down']);
  if (down.code !== 0) throw new Error(`matador testbed down failed: ${down.stderr}`);
}
