/** Helpers of the end-to-end tests: the world's namespaces, records from the store. */
import { execFile } from 'child_process';
import type { MeasurementRecord, Trace } from '../../lib/types';
import { ResultsStore } from '../../store/results-store';

/** Tunnel devices (any kind) and our policy rules in a namespace: what teardown must remove. */
export function tunnelLeftovers(netns: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['-n', netns, '-d', '-j', 'link', 'show'], (err, stdout) => {
      if (err) return reject(err);
      const links = JSON.parse(stdout) as Array<{ ifname: string; linkinfo?: { info_kind?: string } }>;
      // 'tun': wireguard-go's interface (routers and nodes have no other tun device).
      const kinds = new Set(['vxlan', 'gre', 'ipip', 'gretap', 'wireguard', 'tun']);
      resolve(links.filter((l) => kinds.has(l.linkinfo?.info_kind ?? '')).map((l) => `${netns}:${l.ifname}`));
    });
  });
}

/** Command lines of running wireguard-go processes of the worlds' tunnels (mt-tn*). */
export function wireguardGoProcesses(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('ps', ['-eo', 'args'], (err, stdout) => {
      if (err) return reject(err);
      resolve(stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('wireguard-go -f mt-tn')));
    });
  });
}

export function latestRecords(resultsFile: string, campaign: string): MeasurementRecord[] {
  const store = new ResultsStore({ file: resultsFile });
  try {
    return [...store.latestOfCampaign(campaign)].map((a) => a.record);
  } finally {
    store.close();
  }
}

/** Countries along a trace in order, consecutive repeats merged (PL GB GB US -> PL GB US). */
export function countryPath(trace: Trace): string[] {
  const out: string[] = [];
  for (const hop of trace.hops) if (hop.country && out[out.length - 1] !== hop.country) out.push(hop.country);
  return out;
}

