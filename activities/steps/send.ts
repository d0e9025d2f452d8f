/**
 * sendMessage: the sending phone runs the app's `ui.sendMessage` steps with the message text as
 * `${message}` (typed through the phone driver: the text never reaches a shell unescaped); its
 * times come from what Android shows, as the app's YAML `observe` section says how to read it:
 * - sent: the outgoing bubble with the text appearing in the open chat (`uiautomator dump`),
 *   then the app's sent marker on it (WhatsApp's tick) where the app shows one;
 * - received: the incoming bubble in the receiver's open chat, or the app's notification
 *   (`dumpsys notification --noredact`) when the chat is not on screen.
 * Each look reads the phone's clock around its dumps in the same shell command; times are put on
 * the controller's clock with the offset configurePhones measured, and each carries the bracket
 * it is good to (observed.ts). The UI steps are cut after the one that sends (the last tap or key
 * event): the sender is looked at right then, and the receiver from then on, while the steps
 * after it (waits, screenshots) run — otherwise those would be added to both times. Chats keep old messages with the same text (every measurement
 * sends "message 1 of 10 from A"), so a message counts as shown when there are more bubbles with
 * its text than in the look taken before the send (and a notification showing it that was not
 * there before).
 * The looks come every LOOK_POLL_MS, placed where the earlier messages of the measurement
 * showed (look-schedule.ts), so the look that sees a message comes soon after it shows.
 * An undelivered message is a result (`failure: message_not_received: ...`), not an error.
 * A retried sendMessage (retried in place on adb_timeout) never sends twice: on a retry, when the
 * sender's newest outgoing bubble already has this text, the earlier try sent it: its times are
 * taken from the looks (bracketed from the first try's start) instead of sending again.
 */
import { Context } from '@temporalio/activity';
import * as path from 'path';
import { cancellableSleep } from '../heartbeat';
import type { Look, PhoneDriver, RunUiStepsOptions, UiStepRecord } from '../../drivers/phone';
import type { AppFile, ChatObserve, UiStep } from '../../lib/config/app';
import type { MessageSent, MessageStep, ObservedTime, PhoneClock, PhoneClocks, StepContext } from '../../lib/measurement/payloads';
import type { ArtefactRef } from '../../lib/types';
import { appOf, attemptDir, type StepEnv } from './context';
import { scaledUiSteps, uiArtefacts } from './capture';
import { must, stepFailure } from './failures';
import { bothSettled, phoneClock, phoneDriver } from './phones';
import { resolveTestbed } from './testbed-endpoints';
import { baseline, firstShown, lookState, observedTime, type LookState, type MessageMatch, type Shown } from './observed';
import { learnWindow, nextLookAt, type ShowWindow } from './look-schedule';

/** Between looks at a phone (each is one adb round trip with a UI dump). */
export const LOOK_POLL_MS = 100;
/** A baseline look whose UI dump fails (screen animating) is taken again up to this often. */
const BASELINE_TRIES = 3;

/** Which try of the activity this is, and when its first try was scheduled (ms since the epoch). */
export interface SendTry {
  attempt: number;
  firstScheduledMs: number;
}

/** The running activity's try (outside an activity, e.g. in unit tests: a first try, now). */
export function currentTry(): SendTry {
  try {
    const info = Context.current().info;
    return { attempt: info.attempt, firstScheduledMs: info.scheduledTimestampMs };
  } catch {
    return { attempt: 1, firstScheduledMs: Date.now() };
  }
}

/** The activity input's clocks, checked (a hand-written input cannot put NaN into the record). */
export function checkClocks(clocks: unknown): PhoneClocks | undefined {
  if (clocks === undefined || clocks === null) return undefined;
  if (typeof clocks !== 'object') throw stepFailure('config_invalid', `sendMessage input clocks: expected a mapping of side to clock, got ${typeof clocks}`);
  const out: PhoneClocks = {};
  for (const [side, c] of Object.entries(clocks as Record<string, unknown>)) {
    const v = c as Partial<PhoneClock>;
    if ((side !== 'A' && side !== 'B') || !Number.isFinite(v?.offsetMs) || !Number.isFinite(v?.uncertaintyMs) || !['ns', 'us', 's'].includes(String(v?.precision))) {
      throw stepFailure('config_invalid', `sendMessage input clocks.${side}: expected {offsetMs, uncertaintyMs, precision}, got ${JSON.stringify(c).slice(0, 120)}`);
    }
    out[side] = v as PhoneClock;
  }
  return out;
}

/** A look whose screen was dumped (a transient dump failure is looked at again, bounded). */
async function baselineLook(phone: PhoneDriver, o: { notifications: boolean; what: string }): Promise<Look> {
  let last: Look | null = null;
  for (let i = 0; i < BASELINE_TRIES; i++) {
    last = must(await phone.look(o), o.what).look;
    if (last.elements) return last;
  }
  throw stepFailure('shell_error', `${o.what}: uiautomator dump failed ${BASELINE_TRIES} times on ${phone.serial}: ${last?.uiError ?? ''}`);
}

type Polled = { shown: Shown; look: Look; prev: LookState };

/**
 * The show windows learned by the looks of earlier messages (look-schedule.ts), per measurement
 * attempt, side and observable. In this process only: a step retried elsewhere or after a
 * restart looks every LOOK_POLL_MS until it has learned again.
 */
export interface ShowWindows {
  get(key: string): ShowWindow | null;
  set(key: string, window: ShowWindow | null): void;
}

/** The worker's windows: a few measurements' worth (a testbed runs one at a time). */
export function showWindowMemory(capacity = 64): ShowWindows {
  const windows = new Map<string, ShowWindow | null>();
  return {
    get: (key) => windows.get(key) ?? null,
    set: (key, window) => {
      windows.delete(key);
      windows.set(key, window);
      while (windows.size > capacity) windows.delete(windows.keys().next().value as string);
    },
  };
}

const WORKER_SHOW_WINDOWS = showWindowMemory();

/** Where looks are placed: from the end of the sending step, learning into `windows[key]`. */
interface LookTiming {
  /** When the sending step ended (ms since the epoch): the looks' offsets count from it. */
  sendingEndedAt: number;
  windows: ShowWindows;
  key: string;
}

/**
 * Looks at a phone until `shown` finds the message or the deadline passes. A failed look (adb)
 * fails the step; a look whose UI dump failed is skipped (it does not move the bracket). With
 * `timing`, the looks land where earlier messages showed (look-schedule.ts), never more than
 * LOOK_POLL_MS apart; without, every LOOK_POLL_MS.
 */
async function pollUntil(
  phone: PhoneDriver,
  o: { notifications: boolean; deadline: number; what: string; prev: LookState; shown: (look: Look) => Shown | null; stop?: { stopped: boolean }; timing?: LookTiming | undefined },
): Promise<Polled | null> {
  let prev = o.prev;
  const t = o.timing;
  const window = t ? t.windows.get(t.key) : null;
  let lastMiss: number | null = null;
  for (;;) {
    if (o.stop?.stopped) return null;
    const lookedAt = t ? Date.now() - t.sendingEndedAt : 0;
    const look = must(await phone.look({ notifications: o.notifications }), o.what).look;
    const shown = look.elements || look.notifications ? o.shown(look) : null;
    if (shown) {
      t?.windows.set(t.key, learnWindow({ before: window, lastMiss, hit: lookedAt }));
      return { shown, look, prev };
    }
    if (look.elements) {
      prev = lookState(look);
      lastMiss = lookedAt;
    }
    if (Date.now() >= o.deadline) {
      t?.windows.set(t.key, null);
      return null;
    }
    // From the end of the look, as without timing: no two looks more than LOOK_POLL_MS apart.
    const wait = t ? t.sendingEndedAt + nextLookAt({ last: Date.now() - t.sendingEndedAt, window, pollMs: LOOK_POLL_MS }) - Date.now() : LOOK_POLL_MS;
    await cancellableSleep(Math.min(Math.max(0, wait), Math.max(0, o.deadline - Date.now())));
  }
}

export async function sendMessage(
  env: StepEnv,
  ctx: StepContext,
  message: MessageStep,
  clocks?: PhoneClocks,
  sendTry: SendTry = currentTry(),
): Promise<MessageSent & { artefacts: ArtefactRef[]; typedWith: string | null }> {
  const tb = resolveTestbed(env, ctx);
  const { app, timerScale } = appOf(env, ctx);
  const from = message.from;
  const to = from === 'A' ? 'B' : 'A';
  const sender = phoneDriver(env, tb.sides[from]);
  const receiver = phoneDriver(env, tb.sides[to]);
  const senderClock = clocks?.[from] ?? (await phoneClock(env, sender, from));
  const receiverClock = clocks?.[to] ?? (await phoneClock(env, receiver, to));
  const { uiSteps, ...sent } = await sendAndObserve({
    sender,
    receiver,
    app,
    timerScale,
    message,
    senderClock,
    receiverClock,
    sendTry,
    timeoutMs: env.receiveTimeoutMs ?? 30_000,
    screenshotDir: path.join(attemptDir(env, ctx).abs, 'screenshots'),
    evidence: (steps) => uiArtefacts(env, steps),
    showWindows: { windows: WORKER_SHOW_WINDOWS, key: `${ctx.measurementId}#${ctx.attempt}` },
  });
  return { ...sent, artefacts: uiArtefacts(env, uiSteps) };
}

export interface SendAndObserve {
  sender: PhoneDriver;
  receiver: PhoneDriver;
  app: Pick<AppFile, 'id' | 'android' | 'message' | 'ui' | 'observe'>;
  timerScale: number;
  message: MessageStep;
  senderClock: Pick<PhoneClock, 'offsetMs' | 'uncertaintyMs'>;
  receiverClock: Pick<PhoneClock, 'offsetMs' | 'uncertaintyMs'>;
  sendTry: SendTry;
  timeoutMs: number;
  screenshotDir?: string;
  /** The artefacts a failed UI step left (its screenshot and UI dump), kept with the failure. */
  evidence?: (steps: readonly UiStepRecord[]) => ArtefactRef[];
  /** Where the looks learn when messages show, and under which key (the measurement attempt's):
   *  without, the looks come every LOOK_POLL_MS. */
  showWindows?: { windows: ShowWindows; key: string };
}

/** The step on two phone drivers (sendMessage resolves them from the testbed). */
export async function sendAndObserve(p: SendAndObserve): Promise<Omit<MessageSent, 'artefacts'> & { uiSteps: UiStepRecord[]; typedWith: string | null }> {
  const { app, message, sender, receiver, sendTry } = p;
  const obs: ChatObserve = app.observe;
  const from = message.from;
  const to = from === 'A' ? 'B' : 'A';
  const text = message.text;
  const match: MessageMatch = {
    pkg: obs.notification.package ?? app.android.package,
    text,
    ...(obs.notification.titlePattern ? { titlePattern: new RegExp(obs.notification.titlePattern) } : {}),
  };

  // What both phones show before this send: the bubbles and notifications already there.
  const begun = Date.now();
  const [preS, preR] = await bothSettled([
    baselineLook(sender, { notifications: false, what: `side ${from}: look at the sender's chat before sending` }),
    baselineLook(receiver, { notifications: true, what: `side ${to}: look at the receiver before the message` }),
  ]);
  const baseS = baseline(preS, obs, match);
  const baseR = baseline(preR, obs, match);
  // A retry whose earlier try sent it: the sender's newest outgoing bubble is this text.
  const earlier = sendTry.attempt > 1 && baseS.newestOut === text;
  const steps = scaledUiSteps(app.ui.sendMessage, p.timerScale);
  const cut = sendingCut(steps);
  const runSteps = async (part: UiStep[], suffix: string, o: Pick<RunUiStepsOptions, 'screen' | 'lookAfter'> = {}): Promise<{ steps: UiStepRecord[]; look?: Look }> =>
    part.length === 0
      ? { steps: [] }
      : await sender
          .runUiSteps(part, {
            packageName: app.android.package,
            vars: { message: text, index: message.index + 1, count: app.message.count, side: from, peer: to },
            ...(p.screenshotDir ? { screenshotDir: p.screenshotDir } : {}),
            stepPrefix: `send-${message.index + 1}-${from}${suffix}`,
            ...o,
          })
          .then((r) => must(r, `side ${from}: send message ${message.index + 1} (${app.id} ui.sendMessage)`, p.evidence?.(r.steps ?? []) ?? []));
  // The steps up to the one that sends (the last tap or key event); the message cannot show
  // before that step began. The sender's look before the send is the screen its first tap
  // finds its element on, and the sender's first look after it rides with the sending step
  // (the phone driver batches them into as few round trips as a real shell allows).
  const sending = earlier ? { steps: [] } : await runSteps(steps.slice(0, cut), '', { screen: preS.elements, lookAfter: { notifications: false } });
  const head = sending.steps;
  const sentFrom = earlier ? Math.min(begun, sendTry.firstScheduledMs) : head.length > 0 ? Date.parse(head[head.length - 1].startedAt) : begun;
  const sendingEnded = Date.now();
  // A retry looks every LOOK_POLL_MS: its message may have shown long ago.
  const timing = (side: 'A' | 'B', what: string): LookTiming | undefined =>
    p.showWindows && !earlier ? { sendingEndedAt: sendingEnded, windows: p.showWindows.windows, key: `${p.showWindows.key}:${side}:${what}` } : undefined;
  const deadline = Date.now() + p.timeoutMs;
  const stop = { stopped: false };
  const wantMarker = obs.statusId !== undefined && obs.sentMarkers.length > 0;
  // An earlier try's bubble is already there (counted, not new below the baseline).
  const senderBase = earlier ? { outCount: baseS.outCount - 1 } : { outCount: baseS.outCount, bubbles: baseS.bubbles };
  const senderLook = (until: number, prev: LookState, timed?: LookTiming) =>
    pollUntil(sender, { notifications: false, deadline: until, stop, what: `side ${from}: look for message ${message.index + 1} in the sender's chat`, prev, shown: (look) => firstShown(look, obs, match, senderBase, 'sender'), timing: timed });

  // The receiver is looked at from now on, while the sender finishes its steps.
  const receiving = (async (): Promise<ObservedTime | null> => {
    // After an earlier try the receiver may show it already: the newest incoming bubble, or a
    // notification showing it.
    if (earlier && (baseR.newestIn === text || baseR.notificationKeys.length > 0)) {
      const observable = baseR.newestIn === text ? 'chat-bubble' : 'notification';
      return observedTime({ shown: { observable, marker: false }, look: preR, prev: { beforeMs: null } }, p.receiverClock, sentFrom);
    }
    const got = await pollUntil(receiver, {
      notifications: true,
      deadline,
      stop,
      what: `side ${to}: look for message ${message.index + 1} on the receiver`,
      prev: baseR,
      shown: (look) => firstShown(look, obs, match, baseR, 'receiver'),
      timing: timing(to, 'received'),
    });
    return got ? observedTime(got, p.receiverClock, sentFrom) : null;
  })();
  // Settled before the step fails (it would go on looking after the step ended).
  const fail = async (err: unknown): Promise<never> => {
    stop.stopped = true;
    await receiving.catch(() => undefined);
    throw err;
  };

  let bubble: Polled | null = null;
  let tail: UiStepRecord[] = [];
  try {
    // One look right after the sending step (the app shows the bubble at once), then the rest
    // of the steps (waits, screenshots), then looks until the bubble and its tick show.
    const first = sending.look;
    const shownFirst = first && (first.elements || first.notifications) ? firstShown(first, obs, match, senderBase, 'sender') : null;
    bubble = first ? (shownFirst ? { shown: shownFirst, look: first, prev: { beforeMs: null } } : null) : await senderLook(0, { beforeMs: null });
    tail = earlier ? [] : (await runSteps(steps.slice(cut), '-after')).steps;
    if (!bubble) bubble = await senderLook(deadline, { beforeMs: null }, timing(from, 'sent'));
  } catch (err) {
    return fail(err);
  }
  const stepsDone = new Date().toISOString();
  const sent = bubble ? observedTime(bubble, p.senderClock, sentFrom) : null;
  let marked: Polled | null = bubble?.shown.marker ? bubble : null;
  if (bubble && !marked && wantMarker) {
    try {
      marked = await pollUntil(sender, {
        notifications: false,
        deadline,
        stop,
        what: `side ${from}: look for the sent marker of message ${message.index + 1}`,
        prev: lookState(bubble.look),
        shown: (look) => (firstShown(look, obs, match, senderBase, 'sender')?.marker ? { observable: 'chat-status-marker', marker: true } : null),
        timing: timing(from, 'marker'),
      });
    } catch (err) {
      return fail(err);
    }
  }
  const sentMarker = marked ? observedTime({ ...marked, shown: { observable: 'chat-status-marker', marker: true } }, p.senderClock, sentFrom) : null;
  const received = await receiving;
  const ran = [...head, ...tail];
  return {
    index: message.index,
    from,
    sentAt: sent?.at ?? stepsDone,
    receivedAt: received?.at ?? null,
    sent,
    sentMarker,
    received,
    failure: received ? null : 'message_not_received',
    detail: received
      ? null
      : `side ${to} (phone ${receiver.serial}) did not show message ${message.index + 1} in the chat or a notification within ${Math.round(p.timeoutMs / 1000)} s${sent ? '' : ` (the sender's chat on ${sender.serial} never showed it either)`}`,
    uiSteps: ran,
    typedWith: ran.some((st) => st.action === 'input-text') ? 'phone-driver' : null,
  };
}

/** Where the steps are cut: after the last tap or key event (the one that sends). */
export function sendingCut(steps: readonly UiStep[]): number {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i].action === 'tap' || steps[i].action === 'keyevent') return i + 1;
  return steps.length;
}
