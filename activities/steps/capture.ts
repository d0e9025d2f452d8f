/**
 * Capture on both WLAN routers (paper Fig. 2): startCapture starts tcpdump on both routers and
 * then opens the chat on both phones (the app's `ui.openChat` steps), so the capture holds the
 * app's start, DNS lookups and login; stopCapture stops the apps and then tcpdump (a tcpdump
 * that died mid-capture is `capture_failed`: the capture has a hole, the attempt is retried);
 * fetchCapture copies both files into the attempt's artefact folder and checks them.
 * The running captures' handles are also kept on the testbed host
 * (`<dataDir>/runs/<testbed>/captures.json`), so abortCapture — which gets only the context —
 * can stop them after any failure, and a retried startCapture first stops its predecessor's (and
 * refuses to start while one cannot be stopped, keeping the file).
 * fetchCapture is idempotent: both files are fetched (each to a temporary name, renamed once
 * verified) and only when BOTH are stored and verified are the routers' copies removed; a retry
 * reuses a side already stored and fetches only what is missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { UiStepRecord } from '../../drivers/phone';
import { captureDiscard, captureFetch, captureRemove, captureStart, captureStop, checkCaptureFile, type RouterConfig } from '../../drivers/router';
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

function handlesFile(env: Pick<StepEnv, 'dataDir'>, testbed: string): string {
  return path.join(env.dataDir, 'runs', checkId('testbed', testbed), 'captures.json');
}

/** UI waits follow the campaign's timerScale like the messaging timers (demo/test campaigns). */
export function scaledUiSteps(steps: readonly UiStep[], timerScale: number): UiStep[] {
  return steps.map((s) => (s.action === 'wait' ? { ...s, seconds: Math.round(s.seconds * timerScale * 1000) / 1000 } : s));
}

/** The screenshots and (of a failed step) UI dumps UI steps left, as the record references them. */
export function uiArtefacts(env: Pick<StepEnv, 'dataDir'>, steps: readonly UiStepRecord[] | undefined): ArtefactRef[] {
  return (steps ?? []).flatMap((st) => [
    ...(st.screenshot ? [{ kind: 'screenshot', path: relToData(env, st.screenshot) }] : []),
    ...(st.uiDump ? [{ kind: 'ui-dump', path: relToData(env, st.uiDump) }] : []),
  ]);
}

/** What the capture steps need of a testbed: its id (the handles file) and both routers. */
export interface CaptureRouters {
  testbed: string;
  sides: Record<Side, { router: RouterConfig }>;
}

function readHandles(file: string): Partial<Record<Side, RouterCapture>> | string {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Partial<Record<Side, RouterCapture>>;
  } catch (err) {
    return `${file}: unreadable capture handles (${(err as Error).message}); stop its captures by hand and remove it`;
  }
}

/** Written under a temporary name and renamed: a crash never leaves half a handles file. */
function writeHandles(file: string, handles: Partial<Record<Side, RouterCapture>>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(handles));
  fs.renameSync(tmp, file);
}

/** Stop and remove the captures a handles file names; failures are returned, never thrown.
 *  The file keeps the handles that could not be removed (and goes when none is left). */
export async function stopRecorded(env: Pick<StepEnv, 'dataDir'>, tb: CaptureRouters): Promise<string[]> {
  const file = handlesFile(env, tb.testbed);
  if (!fs.existsSync(file)) return [];
  const handles = readHandles(file);
  if (typeof handles === 'string') return [handles];
  const problems: string[] = [];
  const left: Partial<Record<Side, RouterCapture>> = {};
  for (const s of SIDES) {
    const h = handles[s];
    if (!h) continue;
    const discarded = await captureDiscard(tb.sides[s].router, h);
    if (!discarded.ok) {
      problems.push(`side ${s}: stop and remove capture ${h.id}: ${failureString(discarded)}`);
      left[s] = h;
    }
  }
  if (problems.length === 0) fs.rmSync(file, { force: true });
  else writeHandles(file, left);
  return problems;
}

/**
 * Start tcpdump on both routers under `tag`, after stopping any older capture of the testbed the
 * handles file names (a retried or crashed start, an attempt whose abort did not run). Refuses to
 * start while an older capture cannot be stopped. The new handles are recorded before a failed
 * side fails the step, so abortCapture / the next start stop the side that did start.
 */
export async function startBoth(env: Pick<StepEnv, 'dataDir'>, tb: CaptureRouters, tag: string): Promise<Record<Side, RouterCapture>> {
  const older = await stopRecorded(env, tb);
  if (older.length > 0) throw stepFailure('capture_failed', `an older capture of testbed ${tb.testbed} is still recorded and could not be stopped: ${older.join('; ')}`);
  const handles: Partial<Record<Side, RouterCapture>> = {};
  const started = await Promise.all(SIDES.map(async (s) => ({ s, r: await captureStart(tb.sides[s].router, { id: `${tag}-${s}` }) })));
  for (const { s, r } of started) if (r.ok) handles[s] = r.handle;
  writeHandles(handlesFile(env, tb.testbed), handles);
  for (const { s, r } of started) must(r, `side ${s}: tcpdump on router ${tb.sides[s].router.ssh.host}`);
  return handles as Record<Side, RouterCapture>;
}

/**
 * Fetch both sides into `dirAbs` (capture-A.pcap, capture-B.pcap), verify them, and only then
 * remove both routers' copies. A side already stored by an earlier try (renamed into place only
 * once verified) is not fetched again; a failed side fails the step with both remote copies kept.
 */
export async function fetchBoth(
  env: Pick<StepEnv, 'dataDir'>,
  tb: CaptureRouters,
  handles: Record<Side, RouterCapture>,
  dirAbs: string,
): Promise<Array<{ side: Side; local: string; bytes: number; packets: number }>> {
  const got = await Promise.all(
    SIDES.map(async (s) => {
      const local = path.join(dirAbs, `capture-${s}.pcap`);
      if (fs.existsSync(local)) {
        try {
          const check = await checkCaptureFile(local);
          return { s, r: { ok: true as const, localPath: local, ...check }, local };
        } catch {
          fs.rmSync(local, { force: true }); // not a whole capture after all: fetch it again
        }
      }
      const tmp = `${local}.${process.pid}.tmp`;
      const r = await captureFetch(tb.sides[s].router, handles[s], tmp);
      if (r.ok) fs.renameSync(tmp, local);
      else fs.rmSync(tmp, { force: true });
      return { s, r, local };
    }),
  );
  for (const { s, r } of got) must(r, `side ${s}: fetch capture ${handles[s].id}`);
  // Both stored and verified: now the routers' copies may go.
  const removed = await Promise.all(SIDES.map(async (s) => ({ s, r: await captureRemove(tb.sides[s].router, handles[s]) })));
  for (const { s, r } of removed) must(r, `side ${s}: remove the fetched capture ${handles[s].id} from the router`);
  fs.rmSync(handlesFile(env, tb.testbed), { force: true });
  return got.map(({ s, r, local }) => {
    const ok = r as { bytes: number; packets: number };
    return { side: s, local, bytes: ok.bytes, packets: ok.packets };
  });
}

export async function abortCaptures(env: StepEnv, tb: TestbedEndpoints): Promise<string[]> {
  return stopRecorded(env, tb);
}

export async function startCapture(env: StepEnv, ctx: StepContext): Promise<RunningCaptures> {
  const tb = resolveTestbed(env, ctx);
  const { app, timerScale } = appOf(env, ctx);
  const tag = attemptTag(ctx);
  const handles = await startBoth(env, tb, tag);

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
  // A side that failed keeps its failure screenshot and UI dump (and the other side's) in the failed attempt's record.
  const artefacts = opened.flatMap(({ r }) => uiArtefacts(env, r.steps));
  for (const { s, r } of opened) must(r, `side ${s}: open chat (${app.id} ui.openChat)`, artefacts);
  return { captureId: tag, startedAt: new Date().toISOString(), handles, artefacts };
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
  const got = (await fetchBoth(env, tb, handles, dir.abs)).map((g) => ({ side: g.side, path: relToData(env, g.local), bytes: g.bytes, packets: g.packets }));
  return {
    files: got.map(({ side, path: p, bytes }) => ({ side, path: p, bytes })),
    packets: { A: got[0].packets, B: got[1].packets },
    artefacts: got.map((g) => ({ kind: 'capture', path: g.path })),
  };
}
