/**
 * The no-app baseline (paper section 4, step 2): a short capture at a node's WLAN router while
 * the phone's firewall is on and the app is stopped — what the phone and the node's network do
 * without the app. Taken once per (campaign, node) and cached under
 * `<dataDir>/baselines/<campaign>/<node>.pcap`; written to a temporary name and renamed, so a
 * retried or concurrent step never sees half a file and the first complete one wins.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { captureFetch, captureStart, captureStop } from '../../drivers/router';
import { relToData, type StepEnv } from './context';
import { failureString } from './failures';
import type { SideEndpoints } from './testbed-endpoints';

export interface BaselineInfo {
  node: string;
  /** Relative to the data folder. */
  path: string | null;
  /** Taken by this step (false: reused from the cache). */
  taken: boolean;
  failure: string | null;
}

export function baselineFile(env: StepEnv, campaign: string, node: string): string {
  return path.join(env.dataDir, 'baselines', campaign, `${node}.pcap`);
}

export async function ensureBaseline(env: StepEnv, campaign: string, e: SideEndpoints): Promise<BaselineInfo> {
  const file = baselineFile(env, campaign, e.node.id);
  if (fs.existsSync(file)) return { node: e.node.id, path: relToData(env, file), taken: false, failure: null };
  const id = `baseline-${e.node.id}-${crypto.randomBytes(4).toString('hex')}`;
  const started = await captureStart(e.router, { id });
  if (!started.ok) return { node: e.node.id, path: null, taken: false, failure: failureString(started) };
  let stopped = false;
  try {
    await new Promise((res) => setTimeout(res, (env.baselineSeconds ?? 3) * 1000));
    const stop = await captureStop(e.router, started.handle);
    stopped = true;
    if (!stop.ok) return { node: e.node.id, path: null, taken: false, failure: failureString(stop) };
    const tmp = `${file}.${process.pid}.${id}.tmp`;
    const got = await captureFetch(e.router, started.handle, tmp, { removeRemote: true });
    if (!got.ok) {
      fs.rmSync(tmp, { force: true });
      return { node: e.node.id, path: null, taken: false, failure: failureString(got) };
    }
    fs.renameSync(tmp, file);
    return { node: e.node.id, path: relToData(env, file), taken: true, failure: null };
  } finally {
    if (!stopped) await captureStop(e.router, started.handle); // aborted mid-wait: never leave tcpdump running
  }
}
