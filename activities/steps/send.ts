/**
 * sendMessage: the sending phone runs the app's `ui.sendMessage` steps with the message text as
 * `${message}` (typed through the phone driver: `input text` with escaping, or ADBKeyboard's
 * base64 broadcast — the text never reaches a shell unescaped); the send time is the sender's
 * own record of the message, the receive time the receiver's, polled until it shows up.
 * An undelivered message is a result (`failure: message_not_received: ...`), not an error:
 * the measurement's paths stay valid. The workflow's waits between messages are timers.
 * The receive time is the receiver's own record, so how often it is polled does not change it;
 * it only delays the step's return (and the next timer): the first look at the receiver runs
 * alongside the read of the sender's log, later ones every RECEIVE_POLL_MS.
 * A retried sendMessage (it is retried in place on adb_timeout) never sends twice: when an
 * earlier try of the same activity may have sent, it first reads the sender's log and, if the
 * message is there (same text, not before the first try was scheduled), takes its times instead
 * of running the UI steps again.
 */
import { cancellableSleep } from '../heartbeat';
import { Context } from '@temporalio/activity';
import * as path from 'path';
import type { PhoneDriver, PhoneMessage } from '../../drivers/phone';
import type { MessageSent, MessageStep, StepContext } from '../../lib/measurement/payloads';
import { appOf, attemptDir, type StepEnv } from './context';
import type { ArtefactRef } from '../../lib/types';
import { scaledUiSteps, uiArtefacts } from './capture';
import { must } from './failures';
import { phoneDriver } from './phones';
import { resolveTestbed } from './testbed-endpoints';

/** Clock slack when matching log entries to this send (same host clock; ms). */
const SLACK_MS = 1000;
/** Between looks at the receiver's log (one adb sync pull each). */
export const RECEIVE_POLL_MS = 50;

export function findLogged(messages: readonly PhoneMessage[], o: { event: 'sent' | 'received'; text: string; notBefore: number }): PhoneMessage | undefined {
  return messages.find((m) => {
    if (m.event !== o.event || m.text !== o.text) return false;
    const at = Date.parse((o.event === 'received' ? m.receivedAt : m.sentAt) ?? m.sentAt);
    return Number.isFinite(at) && at >= o.notBefore - SLACK_MS;
  });
}

type LogRead = { ok: true; messages: readonly PhoneMessage[] } | { ok: false };

/**
 * Read the receiver's log until it holds the message or the deadline passes (a failed read is
 * retried like a log without it). `first` is a read already under way. Undefined: never shown.
 */
export async function pollReceived(
  read: () => Promise<LogRead>,
  o: { text: string; notBefore: number; deadline: number; intervalMs?: number; first?: Promise<LogRead> },
): Promise<PhoneMessage | undefined> {
  let pending: Promise<LogRead> = o.first ?? read();
  for (;;) {
    const log = await pending;
    const received = log.ok ? findLogged(log.messages, { event: 'received', text: o.text, notBefore: o.notBefore }) : undefined;
    if (received || Date.now() >= o.deadline) return received;
    await cancellableSleep(Math.min(o.intervalMs ?? RECEIVE_POLL_MS, Math.max(0, o.deadline - Date.now())));
    pending = read();
  }
}

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

/**
 * On a retried try: the sender's own log entry of this message if an earlier try sent it already
 * (same text, logged not before the first try was scheduled); undefined when it must be sent.
 * A first try sends without looking (nothing can have sent it). A log that cannot be read on a
 * retry fails the step (retried again) rather than risk sending the message twice.
 */
export async function sentByEarlierTry(
  sender: Pick<PhoneDriver, 'readMessages'>,
  o: { text: string; try: SendTry; side: string },
): Promise<PhoneMessage | undefined> {
  if (o.try.attempt <= 1) return undefined;
  const log = must(await sender.readMessages(), `side ${o.side}: read the sender's message log before re-sending`);
  return findLogged(log.messages, { event: 'sent', text: o.text, notBefore: o.try.firstScheduledMs });
}

export async function sendMessage(
  env: StepEnv,
  ctx: StepContext,
  message: MessageStep,
  sendTry: SendTry = currentTry(),
): Promise<MessageSent & { artefacts: ArtefactRef[]; typedWith: string | null }> {
  const tb = resolveTestbed(env, ctx);
  const { app, timerScale } = appOf(env, ctx);
  const from = message.from;
  const to = from === 'A' ? 'B' : 'A';
  const sender = phoneDriver(env, tb.sides[from]);
  const receiver = phoneDriver(env, tb.sides[to]);
  const shots = path.join(attemptDir(env, ctx).abs, 'screenshots');
  // A retry looks for what its earlier tries did from the first try's start on.
  const begun = sendTry.attempt > 1 ? Math.min(Date.now(), sendTry.firstScheduledMs) : Date.now();
  const earlier = await sentByEarlierTry(sender, { text: message.text, try: sendTry, side: from });
  const uiRun = earlier
    ? null
    : await sender.runUiSteps(scaledUiSteps(app.ui.sendMessage, timerScale), {
        packageName: app.android.package,
        vars: { message: message.text, index: message.index + 1, count: app.message.count, side: from, peer: to },
        screenshotDir: shots,
        stepPrefix: `send-${message.index + 1}-${from}`,
      });
  const ran = uiRun ? must(uiRun, `side ${from}: send message ${message.index + 1} (${app.id} ui.sendMessage)`, uiArtefacts(env, uiRun.steps)) : { steps: [] };
  const stepsDone = new Date().toISOString();
  const artefacts: ArtefactRef[] = uiArtefacts(env, ran.steps);
  const typedWith = ran.steps.some((s) => s.action === 'input-text') ? 'phone-driver' : null;

  const deadline = Date.now() + (env.receiveTimeoutMs ?? 30_000);
  // The first look at the receiver runs alongside the read of the sender's log.
  const firstReceiverRead = receiver.readMessages();
  const senderRead = await sender.readMessages();
  if (!senderRead.ok) await firstReceiverRead; // settled before the step fails
  const sentLog = must(senderRead, `side ${from}: read the sender's message log`);
  const sent = findLogged(sentLog.messages, { event: 'sent', text: message.text, notBefore: begun });
  const sentAt = sent?.sentAt ?? stepsDone;

  const received = await pollReceived(() => receiver.readMessages(), { text: message.text, notBefore: begun, deadline, first: firstReceiverRead });
  return {
    index: message.index,
    from,
    sentAt,
    receivedAt: received ? (received.receivedAt ?? null) : null,
    failure: received ? null : 'message_not_received',
    detail: received ? null : `side ${to} did not show message ${message.index + 1} within ${Math.round((env.receiveTimeoutMs ?? 30_000) / 1000)} s${sent ? '' : ' (the sender has no record of sending it either)'}`,
    artefacts,
    typedWith,
  };
}
