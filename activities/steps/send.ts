/**
 * sendMessage: the sending phone runs the app's `ui.sendMessage` steps with the message text as
 * `${message}` (typed through the phone driver: `input text` with escaping, or ADBKeyboard's
 * base64 broadcast — the text never reaches a shell unescaped); the send time is the sender's
 * own record of the message, the receive time the receiver's, polled until it shows up.
 * An undelivered message is a result (`failure: message_not_received: ...`), not an error:
 * the measurement's paths stay valid. The workflow's waits between messages are timers.
 */
import * as path from 'path';
import type { PhoneMessage } from '../../drivers/phone';
import type { MessageSent, MessageStep, StepContext } from '../../lib/temporal/types';
import { appOf, attemptDir, relToData, type StepEnv } from './context';
import { scaledUiSteps, type ArtefactRef } from './capture';
import { must } from './failures';
import { phoneDriver } from './phones';
import { resolveTestbed } from './testbed-endpoints';

/** Clock slack when matching log entries to this send (same host clock; ms). */
const SLACK_MS = 1000;

export function findLogged(messages: readonly PhoneMessage[], o: { event: 'sent' | 'received'; text: string; notBefore: number }): PhoneMessage | undefined {
  return messages.find((m) => {
    if (m.event !== o.event || m.text !== o.text) return false;
    const at = Date.parse((o.event === 'received' ? m.receivedAt : m.sentAt) ?? m.sentAt);
    return Number.isFinite(at) && at >= o.notBefore - SLACK_MS;
  });
}

export async function sendMessage(env: StepEnv, ctx: StepContext, message: MessageStep): Promise<MessageSent & { artefacts: ArtefactRef[]; typedWith: string | null }> {
  const tb = resolveTestbed(env, ctx);
  const { app, timerScale } = appOf(env, ctx);
  const from = message.from;
  const to = from === 'A' ? 'B' : 'A';
  const sender = phoneDriver(env, tb.sides[from]);
  const receiver = phoneDriver(env, tb.sides[to]);
  const shots = path.join(attemptDir(env, ctx).abs, 'screenshots');
  const begun = Date.now();
  const ran = must(
    await sender.runUiSteps(scaledUiSteps(app.ui.sendMessage, timerScale), {
      packageName: app.android.package,
      vars: { message: message.text, index: message.index + 1, count: app.message.count, side: from, peer: to },
      screenshotDir: shots,
      stepPrefix: `send-${message.index + 1}-${from}`,
    }),
    `side ${from}: send message ${message.index + 1} (${app.id} ui.sendMessage)`,
  );
  const stepsDone = new Date().toISOString();
  const artefacts: ArtefactRef[] = ran.steps.flatMap((st) => (st.screenshot ? [{ kind: 'screenshot', path: relToData(env, st.screenshot) }] : []));
  const typedWith = ran.steps.some((s) => s.action === 'input-text') ? 'phone-driver' : null;

  const sentLog = must(await sender.readMessages(), `side ${from}: read the sender's message log`);
  const sent = findLogged(sentLog.messages, { event: 'sent', text: message.text, notBefore: begun });
  const sentAt = sent?.sentAt ?? stepsDone;

  const deadline = Date.now() + (env.receiveTimeoutMs ?? 30_000);
  let received: PhoneMessage | undefined;
  for (;;) {
    const log = await receiver.readMessages();
    if (log.ok) received = findLogged(log.messages, { event: 'received', text: message.text, notBefore: begun });
    if (received || Date.now() >= deadline) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  return {
    index: message.index,
    from,
    sentAt,
    receivedAt: received ? (received.receivedAt ?? null) : null,
    failure: received ? null : `message_not_received: side ${to} did not show message ${message.index + 1} within ${Math.round((env.receiveTimeoutMs ?? 30_000) / 1000)} s${sent ? '' : ' (the sender has no record of sending it either)'}`,
    artefacts,
    typedWith,
  };
}
