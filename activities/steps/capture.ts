/**
 * Capture on both WLAN routers (paper Fig. 2): startCapture starts tcpdump on both routers and
 * then opens the chat on both phones (the app's `ui.openChat` steps), so the capture holds the
 * app's start, DNS lookups and login; stopCapture stops the apps and then tcpdump (a tcpdump
 * that died mid-capture is `capture_failed`: the capture has a hole, the attempt is retried);
 * fetchCapture copies both files into the attempt's artefact folder and checks them.
 * The running captures' handles are also kept on the testbed host
 * (`<dataDir>/runs/<testbed>/captures.json`), so abortCapture — which gets only the context —
 * can stop them after any failure, and a retried startCapture first stops its predecessor's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { captureDiscard, captureFetch, captureStart, captureStop } from '../../drivers/router';
import type { UiStep } from '../../lib/config';
import type { CaptureFiles, RouterCapture, RunningCapture, StepContext } from '../../lib/measurement/payloads';
import type { ArtefactRef, Side } from '../../lib/types';
import { appOf, attemptDir, attemptTag, checkId, relToData, type StepEnv } from './context';
import { failureString, must, stepFailure } from './failures';
import { phoneDriver } from './phones';
import { resolveTestbed, type TestbedEndpoints } from './testbed-endpoints';

const SIDES: Side[] = ['A', 'B'];

/** startCapture's result always carries both routers' handles and the chat screenshots. */
export type RunningCaptures = RunningCapture & Required<Pick<RunningCapture, 'handles' | 'artefacts'>>;

function handlesOf(capture: RunningCapture): Record<Side, RouterCapture> {
  if (!capture.handles) throw stepFailure('capture_missing', `capture ${capture.captureId} has no router handles (not started by startCapture?)`);
  return capture.handles;
}

function handlesFile(env: StepEnv, testbed: string): string {
  return path.join(env.dataDir, 'runs', checkId('testbed', testbed), 'captures.json');
}

/** UI waits follow the campaign's timerScale like the messaging timers (demo/test campaigns). */
export function scaledUiSteps(steps: readonly UiStep[], timerScale: number): UiStep[] {
  return steps.map((s) => (s.action === 'wait' ? { ...s, seconds: Math.round(s.seconds * timerScale * 1000) / 1000 } : s));
}

/** Stop and remove the captures a handles file names; failures are returned, never thrown. */
async function stopRecorded(env: StepEnv, tb: TestbedEndpoints): Promise<string[]> {
  const file = handlesFile(env, tb.testbed);
  if (!fs.existsSync(file)) return [];
  const handles = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<Side, RouterCapture>>;
  const problems: string[] = [];
  for (const s of SIDES) {
    const h = handles[s];
    if (!h) continue;
    const discarded = await captureDiscard(tb.sides[s].router, h);
    if (!discarded.ok) problems.push(`side ${s}: remove ${h.remoteFile}: ${failureString(discarded)}`);
  }
  if (problems.length === 0) fs.rmSync(file, { force: true });
  return problems;
}

export async function abortCaptures(env: StepEnv, tb: TestbedEndpoints): Promise<string[]> {
  return stopRecorded(env, tb);
}

export async function startCapture(env: StepEnv, ctx: StepContext): Promise<RunningCaptures> {
  const tb = resolveTestbed(env, ctx);
  const { app, timerScale } = appOf(env, ctx);
  await stopRecorded(env, tb); // a retried start: its predecessor's tcpdump must not linger
  const tag = attemptTag(ctx);
  const handles: Partial<Record<Side, RouterCapture>> = {};
  const file = handlesFile(env, tb.testbed);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const started = await Promise.all(SIDES.map(async (s) => ({ s, r: await captureStart(tb.sides[s].router, { id: `${tag}-${s}` }) })));
  for (const { s, r } of started) if (r.ok) handles[s] = r.handle;
  fs.writeFileSync(file, JSON.stringify(handles));
  for (const { s, r } of started) must(r, `side ${s}: tcpdump on router ${tb.sides[s].router.ssh.host}`);

  // Fig. 2: with the capture running, both apps start and open the chat with the peer.
  const dir = attemptDir(env, ctx);
  const shots = path.join(dir.abs, 'screenshots');
  const steps = scaledUiSteps(app.ui.openChat, timerScale);
  const opened = await Promise.all(
    SIDES.map(async (s) => {
      const peer = s === 'A' ? 'B' : 'A';
      const r = await phoneDriver(env, tb.sides[s]).runUiSteps(steps, { packageName: app.android.package, vars: { side: s, peer }, screenshotDir: shots, stepPrefix: `open-${s}` });
      return { s, r };
    }),
  );
  for (const { s, r } of opened) must(r, `side ${s}: open chat (${app.id} ui.openChat)`);
  const artefacts = opened.flatMap(({ r }) => (r.ok ? r.steps : []).flatMap((st) => (st.screenshot ? [{ kind: 'screenshot', path: relToData(env, st.screenshot) }] : [])));
  return { captureId: tag, startedAt: new Date().toISOString(), handles: handles as Record<Side, RouterCapture>, artefacts };
}

export async function stopCapture(env: StepEnv, ctx: StepContext, capture: RunningCapture): Promise<void> {
  const tb = resolveTestbed(env, ctx);
  const { app } = appOf(env, ctx);
  const handles = handlesOf(capture);
  // Fig. 2: the apps stop first, the capture tail (already waited by the workflow) follows.
  await Promise.all(SIDES.map((s) => phoneDriver(env, tb.sides[s]).stopApp(app.android.package)));
  const stopped = await Promise.all(SIDES.map(async (s) => ({ s, r: await captureStop(tb.sides[s].router, handles[s]) })));
  const failed = stopped.filter(({ r }) => !r.ok);
  if (failed.length > 0) {
    throw stepFailure('capture_failed', failed.map(({ s, r }) => `side ${s}: ${failureString(r as { failure: string; detail: string })}`).join('; '));
  }
}

export async function fetchCapture(env: StepEnv, ctx: StepContext, capture: RunningCapture): Promise<CaptureFiles & { packets: Record<Side, number>; artefacts: ArtefactRef[] }> {
  const tb = resolveTestbed(env, ctx);
  const handles = handlesOf(capture);
  const dir = attemptDir(env, ctx);
  const got = await Promise.all(
    SIDES.map(async (s) => {
      const local = path.join(dir.abs, `capture-${s}.pcap`);
      const r = must(await captureFetch(tb.sides[s].router, handles[s], local, { removeRemote: true }), `side ${s}: fetch capture ${handles[s].remoteFile}`);
      return { side: s, path: relToData(env, local), bytes: r.bytes, packets: r.packets };
    }),
  );
  fs.rmSync(handlesFile(env, tb.testbed), { force: true });
  return {
    files: got.map(({ side, path: p, bytes }) => ({ side, path: p, bytes })),
    packets: { A: got[0].packets, B: got[1].packets },
    artefacts: got.map((g) => ({ kind: 'capture', path: g.path })),
  };
}
