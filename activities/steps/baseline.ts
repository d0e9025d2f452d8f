/**
 * The no-app baseline (paper section 4, step 2): a short capture at a node's WLAN router while
 * the phone's firewall is on and the app is stopped — what the phone and the node's network do
 * without the app. Taken once per (campaign, testbed, node) and cached under
 * `<dataDir>/baselines/<campaign>/<testbed>/<node>.pcap` (the testbed's own router and phone: two
 * testbeds, also on two hosts, never share a path); written to a temporary name and renamed, so a
 * retried or concurrent step never sees half a file and the first complete one wins.
 *
 * A failed try (tcpdump gone mid-capture, a dropped SSH connection, a file that does not read as
 * a capture) is tried again with a fresh capture, up to BASELINE_TRIES: every later measurement of
 * the node classifies against this one file, and a measurement whose baseline is missing is
 * classified without one. The failures of earlier tries stay in the result (`earlierFailures`).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cancellableSleep, throwIfCancelled } from '../heartbeat';
import { captureDiscard, captureFetch, captureStart, captureStop, type RouterConfig } from '../../drivers/router';
import type { BaselineInfo } from '../../lib/measurement/payloads';
import { checkId, relToData, type StepEnv } from './context';
import { failureString } from './failures';

/** Tries per baseline, each a fresh capture (the first success ends them). */
export const BASELINE_TRIES = 3;

/** What a baseline needs of a side: the router to capture at and the node it names. */
export interface BaselineSide {
  router: RouterConfig;
  node: { id: string };
}

export function baselineFile(env: StepEnv, campaign: string, testbed: string, node: string): string {
  return path.join(env.dataDir, 'baselines', checkId('campaign', campaign), checkId('testbed', testbed), `${checkId('node', node)}.pcap`);
}

export async function ensureBaseline(env: StepEnv, campaign: string, testbed: string, e: BaselineSide): Promise<BaselineInfo> {
  const file = baselineFile(env, campaign, testbed, e.node.id);
  const earlierFailures: string[] = [];
  for (let tryNo = 1; ; tryNo++) {
    if (fs.existsSync(file)) return { node: e.node.id, path: relToData(env, file), taken: false, failure: null, earlierFailures };
    throwIfCancelled(); // a cancelled step starts no further capture (its teardown may be running)
    const failure = await captureBaseline(env, e, file);
    if (failure === null) return { node: e.node.id, path: relToData(env, file), taken: true, failure: null, earlierFailures };
    // config_invalid (a router config the driver refuses) fails the same way every time
    if (tryNo >= BASELINE_TRIES || failure.startsWith('config_invalid')) return { node: e.node.id, path: null, taken: false, failure, earlierFailures };
    earlierFailures.push(failure);
  }
}

/** One capture of `baselineSeconds` into `file`; returns the failure string, or null when written. */
async function captureBaseline(env: StepEnv, e: BaselineSide, file: string): Promise<string | null> {
  const id = `baseline-${e.node.id}-${crypto.randomBytes(4).toString('hex')}`;
  const started = await captureStart(e.router, { id });
  if (!started.ok) return failureString(started);
  const handle = started.handle;
  let fetched = false;
  try {
    throwIfCancelled();
    await cancellableSleep((env.baselineSeconds ?? 3) * 1000); // a cancelled step stops here (finally: discard)
    const stop = await captureStop(e.router, handle);
    if (!stop.ok) return failureString(stop);
    const tmp = `${file}.${process.pid}.${id}.tmp`;
    const got = await captureFetch(e.router, handle, tmp, { removeRemote: true });
    if (!got.ok) {
      fs.rmSync(tmp, { force: true });
      return failureString(got);
    }
    fetched = true;
    fs.renameSync(tmp, file);
    return null;
  } finally {
    // A failed or aborted try leaves neither tcpdump nor its files on the router (best effort:
    // the router may be the very thing that failed; the step's result already says why).
    if (!fetched) await captureDiscard(e.router, handle);
  }
}
