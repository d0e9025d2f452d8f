/**
 * What one look at a phone says about a message (sendMessage, send.ts), pure: the bubbles and
 * notifications already there before the send (the baseline), whether a later look shows the
 * message, and the message's time on the controller clock with its bracket.
 */
import { bubblesAddedSince, type ChatBubble, chatBubbles, countBubbles, newestBubble, sentMarkerShown } from '../../drivers/phone/chat';
import { notificationShows } from '../../drivers/phone/notifications';
import type { Look } from '../../drivers/phone';
import type { ChatObserve } from '../../lib/config/app';
import type { MessageObservable, ObservedTime, PhoneClock } from '../../lib/measurement/payloads';

export interface MessageMatch {
  /** The package posting the app's notifications. */
  pkg: string;
  text: string;
  titlePattern?: RegExp;
}

/** Where the bracket of a message first shown in the next look starts: that look's begin (phone clock). */
export interface LookState {
  beforeMs: number | null;
}

/** What a phone showed before the send. */
export interface Baseline extends LookState {
  outCount: number;
  inCount: number;
  newestOut: string | null;
  newestIn: string | null;
  /** Keys of notifications already showing the text. */
  notificationKeys: string[];
  /** The chat's bubbles on screen, top to bottom. */
  bubbles: ChatBubble[];
}

export interface Shown {
  observable: MessageObservable;
  /** The outgoing bubble carries a sent marker. */
  marker: boolean;
}

export function lookState(look: Look): LookState {
  return { beforeMs: look.before.ms };
}

export function baseline(look: Look, obs: ChatObserve, m: MessageMatch): Baseline {
  const bubbles = look.elements ? chatBubbles(look.elements, obs) : [];
  return {
    beforeMs: look.before.ms,
    outCount: countBubbles(bubbles, 'out', m.text),
    inCount: countBubbles(bubbles, 'in', m.text),
    newestOut: newestBubble(bubbles, 'out')?.text ?? null,
    newestIn: newestBubble(bubbles, 'in')?.text ?? null,
    notificationKeys: (look.notifications ?? []).filter((n) => notificationShows(n, { pkg: m.pkg, text: m.text, titlePattern: m.titlePattern })).map((n) => n.key),
    bubbles,
  };
}

/**
 * Whether the chat shows one more bubble of the direction with the text than the baseline did:
 * counted, or (when earlier bubbles with the same text, e.g. of the last measurement, scrolled
 * out at the top as it came in, and the count stayed) among the bubbles added below the
 * baseline's (bubblesAddedSince).
 */
function newBubbleWith(bubbles: readonly ChatBubble[], direction: 'in' | 'out', text: string, count: number, before: readonly ChatBubble[] | undefined): boolean {
  if (countBubbles(bubbles, direction, text) > count) return true;
  if (!before) return false;
  return (bubblesAddedSince(before, bubbles) ?? []).some((b) => b.direction === direction && b.text === text);
}

/**
 * Whether a look shows the message beyond what the baseline showed: the sender's chat one more
 * outgoing bubble with the text; the receiver's chat one more incoming bubble, else a
 * notification showing the text that was not there before. `bubbles`: the baseline's chat, for
 * telling a new bubble from an old one of the same text that scrolled out (absent: counts only).
 */
export function firstShown(
  look: Look,
  obs: ChatObserve,
  m: MessageMatch,
  base: { outCount?: number; inCount?: number; notificationKeys?: readonly string[]; bubbles?: readonly ChatBubble[] },
  role: 'sender' | 'receiver',
): Shown | null {
  const bubbles = look.elements ? chatBubbles(look.elements, obs) : [];
  if (role === 'sender') {
    return newBubbleWith(bubbles, 'out', m.text, base.outCount ?? 0, base.bubbles) ? { observable: 'chat-bubble', marker: sentMarkerShown(bubbles, m.text, obs) } : null;
  }
  if (newBubbleWith(bubbles, 'in', m.text, base.inCount ?? 0, base.bubbles)) return { observable: 'chat-bubble', marker: false };
  const known = new Set(base.notificationKeys ?? []);
  const n = (look.notifications ?? []).find((x) => !known.has(x.key) && notificationShows(x, { pkg: m.pkg, text: m.text, titlePattern: m.titlePattern }));
  return n ? { observable: 'notification', marker: false } : null;
}

const PRECISION_SLACK_MS = { ns: 0, us: 0.001, s: 1000 } as const;

/**
 * The time of a look that showed the message, on the controller clock: `at` = the phone clock
 * when the look began, less the offset. Bracket: from the previous look's begin (or `fromMs`,
 * the controller time the send began, whichever is later) to the end of this look (a seconds
 * clock reads the floor of its second: one more second), widened by the offset's uncertainty.
 */
export function observedTime(got: { shown: Shown; look: Look; prev: LookState }, clock: Pick<PhoneClock, 'offsetMs' | 'uncertaintyMs'>, fromMs: number): ObservedTime {
  const conv = (phoneMs: number): number => phoneMs - clock.offsetMs;
  const at = conv(got.look.before.ms);
  const notBefore = Math.min(at, Math.max(fromMs, got.prev.beforeMs === null ? fromMs : conv(got.prev.beforeMs)) - clock.uncertaintyMs);
  const notAfter = conv(got.look.after.ms) + PRECISION_SLACK_MS[got.look.after.precision] + clock.uncertaintyMs;
  const iso = (ms: number): string => new Date(Math.round(ms)).toISOString();
  return { at: iso(at), observable: got.shown.observable, notBefore: iso(notBefore), notAfter: iso(notAfter) };
}
