/**
 * What looks at a phone say about a message: the baseline before the send (old bubbles and
 * notifications with the same text are not this message), the first look that shows it, and its
 * time on the controller clock with an honest bracket.
 */
import type { Look } from '../../drivers/phone';
import type { UiElement } from '../../drivers/phone/ui-xml';
import type { PostedNotification } from '../../drivers/phone/notifications';
import { baseline, firstShown, observedTime } from './observed';

const OBS = { messageTextId: 'com.whatsapp:id/message_text', outgoingBy: 'status-view' as const, statusId: 'com.whatsapp:id/status', sentMarkers: ['Sent'], notification: {} };
const M = { pkg: 'com.whatsapp', text: 'MATAdOR test message 1 of 10 from A' };

/** A chat screen: one bubble (container + text [+ status]) per entry. */
function chat(bubbles: Array<{ text: string; status?: string }>): UiElement[] {
  const els: UiElement[] = [];
  const el = (p: Partial<UiElement>): number => els.push({ resourceId: '', text: '', contentDesc: '', cls: 'android.widget.TextView', pkg: 'com.whatsapp', clickable: false, focused: false, bounds: [0, 0, 540, 960], parent: -1, ...p }) - 1;
  for (const b of bubbles) {
    const box = el({ cls: 'android.widget.LinearLayout' });
    el({ resourceId: OBS.messageTextId, text: b.text, parent: box });
    if (b.status) el({ resourceId: OBS.statusId, contentDesc: b.status, parent: box });
  }
  return els;
}
const notification = (key: string, ticker: string): PostedNotification => ({ pkg: 'com.whatsapp', id: 1, tag: null, key, tickerText: ticker, title: null, text: null, bigText: null, textLines: [], redacted: true });
const look = (beforeMs: number, afterMs: number, elements: UiElement[] | null, notifications: PostedNotification[] | null = null): Look => ({
  before: { ms: beforeMs, precision: 'us' },
  after: { ms: afterMs, precision: 'us' },
  elements,
  uiError: null,
  notifications,
});

test("an earlier measurement's bubble with the same text is in the baseline: only one more counts", () => {
  const pre = look(1000, 1010, chat([{ text: M.text, status: 'Sent' }, { text: 'other' }]));
  const base = baseline(pre, OBS, M);
  expect(base).toMatchObject({ outCount: 1, inCount: 0, newestOut: M.text, newestIn: 'other', notificationKeys: [] });
  expect(firstShown(pre, OBS, M, base, 'sender')).toBeNull();
  const later = look(2000, 2010, chat([{ text: M.text, status: 'Sent' }, { text: 'other' }, { text: M.text, status: 'Pending' }]));
  expect(firstShown(later, OBS, M, base, 'sender')).toEqual({ observable: 'chat-bubble', marker: false });
  const acked = look(2100, 2110, chat([{ text: M.text, status: 'Sent' }, { text: 'other' }, { text: M.text, status: 'Sent' }]));
  expect(firstShown(acked, OBS, M, base, 'sender')).toEqual({ observable: 'chat-bubble', marker: true });
});

test('the receiver: a new incoming bubble, else a notification that was not there before', () => {
  const old = notification('0|com.whatsapp|1|null|10064', `MATAdOR A: ${M.text}`);
  const base = baseline(look(1000, 1010, chat([]), [old]), OBS, M);
  expect(base.notificationKeys).toEqual(['0|com.whatsapp|1|null|10064']);
  // The same notification still there: not this message.
  expect(firstShown(look(1100, 1110, chat([]), [old]), OBS, M, base, 'receiver')).toBeNull();
  const fresh = look(1200, 1210, chat([]), [notification('0|com.whatsapp|2|null|10064', `MATAdOR A: ${M.text}`)]);
  expect(firstShown(fresh, OBS, M, base, 'receiver')).toEqual({ observable: 'notification', marker: false });
  expect(firstShown(look(1300, 1310, chat([{ text: M.text }]), []), OBS, M, base, 'receiver')).toEqual({ observable: 'chat-bubble', marker: false });
});

test('a bubble whose older copy (the last measurement\'s) scrolled out at the top as it came in still counts as new', () => {
  // The screen holds four bubbles; two of them are an earlier measurement's copies of the text.
  const other = (k: number) => ({ text: `other ${k}` });
  const pre = look(1000, 1010, chat([{ text: M.text }, other(1), { text: M.text }, other(2)]));
  const base = baseline(pre, OBS, M);
  expect(base.inCount).toBe(2);
  const arrived = look(1100, 1110, chat([other(1), { text: M.text }, other(2), { text: M.text }]));
  expect(firstShown(arrived, OBS, M, base, 'receiver')).toEqual({ observable: 'chat-bubble', marker: false });
  // the same without the baseline's screen: the count alone cannot tell (what the step did before)
  expect(firstShown(arrived, OBS, M, { inCount: base.inCount }, 'receiver')).toBeNull();
  // the sender's side alike
  const sent = (status: string) => ({ text: M.text, status });
  const preS = look(1000, 1010, chat([sent('Sent'), other(1), sent('Sent'), other(2)]));
  const baseS = baseline(preS, OBS, M);
  expect(firstShown(look(1100, 1110, chat([other(1), sent('Sent'), other(2), sent('Sent')])), OBS, M, baseS, 'sender')).toEqual({ observable: 'chat-bubble', marker: true });
  // nothing new on the same screen: not shown
  expect(firstShown(pre, OBS, M, base, 'receiver')).toBeNull();
});

test('times: the look\'s begin less the offset; bracket from the previous look (not before the send) to the look\'s end, ± uncertainty', () => {
  const clock = { offsetMs: 5000, uncertaintyMs: 3 };
  const t = observedTime({ shown: { observable: 'notification', marker: false }, look: look(15_200, 15_260, null), prev: { beforeMs: 15_100 } }, clock, 9_000);
  expect(t).toEqual({ at: new Date(10_200).toISOString(), observable: 'notification', notBefore: new Date(10_097).toISOString(), notAfter: new Date(10_263).toISOString() });
  // A previous look from before the send started: the send's start bounds it.
  const first = observedTime({ shown: { observable: 'chat-bubble', marker: false }, look: look(15_200, 15_260, null), prev: { beforeMs: 12_000 } }, clock, 9_500);
  expect(first.notBefore).toBe(new Date(9_497).toISOString());
  // No previous look (the sender's first look after its send steps): from the send's start.
  expect(observedTime({ shown: { observable: 'chat-bubble', marker: false }, look: look(15_200, 15_260, null), prev: { beforeMs: null } }, clock, 9_800).notBefore).toBe(new Date(9_797).toISOString());
});
