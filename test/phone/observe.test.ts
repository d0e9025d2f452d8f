/**
 * Message times from Android's own observables, against two virtual phones through the REAL adb
 * server: the phone clock and its offset (the clock-skew fault), the outgoing bubble and its
 * sent tick, the incoming message as a notification (`dumpsys notification` in Android 5.0's
 * format) when the chat is not open and as a bubble when it is, a retried send that finds
 * its earlier try's bubble instead of sending twice, and a new bubble seen on a full chat whose
 * oldest bubble, scrolling out as it comes in, has the same text.
 */
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { PhoneDriver } from '../../drivers/phone';
import { parseNotificationDump } from '../../drivers/phone/notifications';
import { loadAppFile } from '../../lib/config/load';
import { configsDir } from '../../lib/project-paths';
import type { VirtualPhone } from '../../testbed/phone';
import { phoneClock } from '../../activities/steps/phones';
import { sendAndObserve, showWindowMemory } from '../../activities/steps/send';
import { chatBubbles } from '../../drivers/phone/chat';
import type { StepEnv } from '../../activities/steps/context';
import { startPhonePair, waitFor, type PhonePair } from './mini-world';

const app = loadAppFile(path.join(configsDir, 'apps', 'whatsapp.yaml'));
const env = { maxClockSkewMs: 2000 } as StepEnv;

let pair: PhonePair;
let phoneA: VirtualPhone;
let phoneB: VirtualPhone;
let a: PhoneDriver;
let b: PhoneDriver;

beforeAll(async () => {
  pair = await startPhonePair('obs', { ports: [5771, 5772], apps: ['whatsapp'] });
  [phoneA, phoneB] = pair.phones;
  [a, b] = pair.drivers;
  await waitFor('whatsapp connected on both phones', () => phoneA.appStatus('whatsapp')?.state === 'connected' && phoneB.appStatus('whatsapp')?.state === 'connected');
}, 120_000);

afterAll(async () => {
  await pair?.stop();
}, 60_000);

const noWaits = <T extends { action: string }>(steps: T[]): T[] => steps.filter((s) => s.action !== 'wait' && s.action !== 'screenshot');
const send = (index: number, o: { attempt?: number; firstScheduledMs?: number; clocks?: { a: number; b: number }; showWindows?: ReturnType<typeof showWindowMemory> } = {}) =>
  sendAndObserve({
    sender: a,
    receiver: b,
    app: { ...app, ui: { ...app.ui, sendMessage: noWaits(app.ui.sendMessage) } },
    timerScale: 1,
    message: { index, from: 'A', text: `MATAdOR test message ${index + 1} of 10 from A`, waitSeconds: 0 },
    senderClock: { offsetMs: o.clocks?.a ?? 0, uncertaintyMs: 1 },
    receiverClock: { offsetMs: o.clocks?.b ?? 0, uncertaintyMs: 1 },
    sendTry: { attempt: o.attempt ?? 1, firstScheduledMs: o.firstScheduledMs ?? Date.now() },
    timeoutMs: 10_000,
    ...(o.showWindows ? { showWindows: { windows: o.showWindows, key: 'obs#1' } } : {}),
  });

test("the phone's clock: toolbox date has no %N, mksh's $EPOCHREALTIME gives microseconds; offset to the controller", async () => {
  const r = await a.adb.shell('date +%s%N; echo "$EPOCHREALTIME"');
  expect(r.ok && r.stdout).toMatch(/^\d{10}N\n\d{10}\.\d{6}\n$/);
  const c = await a.measureClock(5);
  expect(c).toMatchObject({ ok: true, precision: 'us', samples: 5 });
  expect(c.ok && Math.abs(c.offsetMs)).toBeLessThan(c.ok ? c.uncertaintyMs + 5 : 0);
});

test('clock-skew: the offset is measured, and beyond the bound the phone fails clock_skew naming it and the fix', async () => {
  phoneB.faults.setClockOffset(5000);
  try {
    const c = await b.measureClock(5);
    expect(c.ok && Math.abs(c.offsetMs - 5000)).toBeLessThan(c.ok ? c.uncertaintyMs + 5 : 0);
    let err: unknown;
    try {
      await phoneClock(env, b, 'B');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('clock_skew');
    expect((err as ApplicationFailure).message).toMatch(new RegExp(`phone ${phoneB.serial.replace(/\./g, '\\.')}: its clock is 5\\d{3} ms .* ahead of the controller's.*automatic date & time`));
    // Within the bound the offset is recorded, and times are put on the controller's clock.
    expect(await phoneClock({ ...env, maxClockSkewMs: 10_000 } as StepEnv, b, 'B')).toMatchObject({ precision: 'us' });
  } finally {
    phoneB.faults.setClockOffset(0);
  }
});

test('receiver not in the chat: the notification (Android 5 dump format) gives the receive time; the sender its bubble and tick', async () => {
  // A opens the chat; B only starts the app (its conversation list is on screen).
  expect(await a.runUiSteps(noWaits(app.ui.openChat), { packageName: app.android.package, vars: { side: 'A', peer: 'B' } })).toMatchObject({ ok: true });
  expect(await b.startApp(app.android.package)).toEqual({ ok: true });
  phoneB.faults.setClockOffset(1500); // B runs 1.5 s ahead: its times are corrected by its offset
  try {
    const clockB = await b.measureClock(5);
    if (!clockB.ok) throw new Error(clockB.detail);
    const t0 = Date.now();
    const r = await send(0, { clocks: { a: 0, b: clockB.offsetMs } });
    expect(r.failure).toBeNull();
    expect(r.sent).toMatchObject({ observable: 'chat-bubble' });
    expect(r.sentMarker).toMatchObject({ observable: 'chat-status-marker' });
    expect(r.received).toMatchObject({ observable: 'notification' });
    const sentAt = Date.parse(r.sentAt);
    const receivedAt = Date.parse(r.receivedAt ?? '');
    expect(sentAt).toBeGreaterThanOrEqual(t0 - 5);
    expect(receivedAt - sentAt).toBeGreaterThan(-1000); // without the offset B's time would be 1.5 s late
    expect(receivedAt - sentAt).toBeLessThan(1500);
    for (const t of [r.sent, r.received]) {
      expect(Date.parse(t!.notBefore)).toBeLessThanOrEqual(Date.parse(t!.at));
      expect(Date.parse(t!.notAfter)).toBeGreaterThanOrEqual(Date.parse(t!.at));
    }
  } finally {
    phoneB.faults.setClockOffset(0);
  }
  const dump = await b.adb.shell('dumpsys notification --noredact');
  const text = dump.ok ? dump.stdout : '';
  expect(text).toMatch(/^Current Notification Manager state:\n/);
  expect(text).toMatch(/^ {4}NotificationRecord\(0x[0-9a-f]{8}: pkg=com\.whatsapp user=UserHandle\{0\} id=1 tag=null score=10 key=0\|com\.whatsapp\|1\|null\|10064: Notification\(pri=1 /m);
  expect(text).toContain('      tickerText=MATAdOR A: MATAdOR test message 1 of 10 from A\n');
  expect(text).toContain('        android.title=String\n'); // Android 5 redacts extras
  expect(parseNotificationDump(text)).toHaveLength(1);
});

test('receiver in the chat: opening it clears the notification; the incoming bubble gives the receive time', async () => {
  expect(await b.tap('MATAdOR A')).toMatchObject({ ok: true });
  const cleared = await b.adb.shell('dumpsys notification');
  expect(cleared.ok && parseNotificationDump(cleared.stdout)).toEqual([]);
  const r = await send(1);
  expect(r).toMatchObject({ failure: null, received: { observable: 'chat-bubble' }, sent: { observable: 'chat-bubble' } });
});

test('a retried send finds the bubble of its earlier try and does not send again', async () => {
  const firstTry = Date.now();
  const first = await send(2);
  expect(first.failure).toBeNull();
  const count = () => phoneA.messages().filter((m) => m.text === 'MATAdOR test message 3 of 10 from A').length;
  expect(count()).toBe(1);
  const retry = await send(2, { attempt: 2, firstScheduledMs: firstTry });
  expect(count()).toBe(1); // not sent twice
  expect(retry).toMatchObject({ failure: null, typedWith: null, sent: { observable: 'chat-bubble' }, received: { observable: 'chat-bubble' } });
  expect(Date.parse(retry.sent!.notBefore)).toBeLessThanOrEqual(firstTry);
});

test("a full chat whose oldest bubble has the new one's text (an earlier measurement's): both phones see the new one", async () => {
  const sendText = (text: string) =>
    sendAndObserve({
      sender: a,
      receiver: b,
      app: { ...app, ui: { ...app.ui, sendMessage: noWaits(app.ui.sendMessage) } },
      timerScale: 1,
      message: { index: 0, from: 'A', text, waitSeconds: 0 },
      senderClock: { offsetMs: 0, uncertaintyMs: 1 },
      receiverClock: { offsetMs: 0, uncertaintyMs: 1 },
      sendTry: { attempt: 1, firstScheduledMs: Date.now() },
      timeoutMs: 5_000,
    });
  // How many bubbles B's screen holds once its chat is full.
  let shown = 0;
  for (let i = 0; i < 40; i++) {
    expect((await sendText(`filler ${i}`)).failure).toBeNull();
    const look = await b.look({ notifications: false });
    const now = look.ok && look.look.elements ? chatBubbles(look.look.elements, app.observe).length : 0;
    if (now === shown && i > 0) break;
    shown = now;
  }
  expect(shown).toBeGreaterThan(2);
  // Texts repeating with the screen's period: each new bubble pushes out the oldest one, which
  // has its text, so the count of bubbles with the text on screen stays the same.
  for (let j = 0; j < 2 * shown; j++) {
    const r = await sendText(`cycle ${j % shown}`);
    expect({ j, failure: r.failure, received: r.received?.observable, sent: r.sent?.observable }).toEqual({ j, failure: null, received: 'chat-bubble', sent: 'chat-bubble' });
  }
}, 120_000);

test('looks placed where earlier messages showed still see every message, each time inside its bracket', async () => {
  const windows = showWindowMemory();
  for (let i = 0; i < 6; i++) {
    const r = await send(i, { showWindows: windows });
    expect({ i, failure: r.failure, received: r.received?.observable, sent: r.sent?.observable }).toEqual({ i, failure: null, received: 'chat-bubble', sent: 'chat-bubble' });
    for (const t of [r.sent, r.sentMarker, r.received]) {
      if (!t) continue;
      expect(Date.parse(t.notBefore)).toBeLessThanOrEqual(Date.parse(t.at));
      expect(Date.parse(t.notAfter)).toBeGreaterThanOrEqual(Date.parse(t.at));
    }
  }
  // What the receiver's looks learned: a window, the message not there at its start and there at its end.
  const learned = windows.get('obs#1:B:received');
  expect(learned).not.toBeNull();
  expect(learned!.lo).toBeLessThanOrEqual(learned!.hi);
  expect(learned!.hi).toBeLessThan(10_000);
}, 60_000);
