/**
 * Time correlation with the message timers (paper section 4, step four).
 *
 * Which time of a message a capture can see depends on the side it was taken on: the sender's
 * router sees the message leave around `sentAt`, the receiver's router sees it arrive shortly
 * before the phone shows it at `receivedAt`. So each message gives one window per side,
 * [t - w, t + w] with t = sentAt on the sending side and t = receivedAt on the receiving side
 * (no window when the message never arrived). A flow correlates with a message when at least one
 * of its packets falls into that window.
 */
import type { Side } from '../types';
import { ClassifierInputError } from './rules';
import type { ClassifierFlow, ClassifierMessageEvent } from './types';

export interface MessageWindow {
  index: number;
  direction: 'A->B' | 'B->A';
  role: 'send' | 'receive';
  /** window centre; null = never received, so nothing to correlate on this side */
  at: number | null;
}

export function messageWindows(messages: readonly ClassifierMessageEvent[], side: Side): MessageWindow[] {
  const seen = new Set<number>();
  return messages.map((message, i) => {
    const path = `messages[${i}]`;
    if (!Number.isInteger(message.index) || seen.has(message.index)) {
      throw new ClassifierInputError(`${path}.index`, `not a distinct whole number: ${JSON.stringify(message.index)}`);
    }
    seen.add(message.index);
    if (message.direction !== 'A->B' && message.direction !== 'B->A') {
      throw new ClassifierInputError(`${path}.direction`, `not "A->B" or "B->A": ${JSON.stringify(message.direction)}`);
    }
    if (!Number.isFinite(message.sentAt)) throw new ClassifierInputError(`${path}.sentAt`, `not an epoch ms time: ${JSON.stringify(message.sentAt)}`);
    if (message.receivedAt !== null && !Number.isFinite(message.receivedAt)) {
      throw new ClassifierInputError(`${path}.receivedAt`, `not an epoch ms time or null: ${JSON.stringify(message.receivedAt)}`);
    }
    const sending = message.direction.startsWith(side);
    return {
      index: message.index,
      direction: message.direction,
      role: sending ? 'send' : 'receive',
      at: sending ? message.sentAt : message.receivedAt,
    };
  });
}

/**
 * The flow's packet times in ascending order. Without `packetTimes` only the first and last
 * packet times are known (from firstSeen/lastSeen), and those are used.
 */
export function packetTimesOf(flow: ClassifierFlow, path: string): number[] {
  if (flow.packetTimes !== undefined) {
    flow.packetTimes.forEach((t, i) => {
      if (!Number.isFinite(t)) throw new ClassifierInputError(`${path}.packetTimes[${i}]`, `not an epoch ms time: ${JSON.stringify(t)}`);
    });
    return [...flow.packetTimes].sort((a, b) => a - b);
  }
  const first = Date.parse(flow.firstSeen);
  const last = Date.parse(flow.lastSeen);
  if (Number.isNaN(first)) throw new ClassifierInputError(`${path}.firstSeen`, `not an ISO 8601 time: ${JSON.stringify(flow.firstSeen)}`);
  if (Number.isNaN(last)) throw new ClassifierInputError(`${path}.lastSeen`, `not an ISO 8601 time: ${JSON.stringify(flow.lastSeen)}`);
  return first === last ? [first] : [first, last].sort((a, b) => a - b);
}

export interface WindowHits {
  /** packets inside [at - w, at + w] */
  packets: number;
  /** smallest |packet time - at| among them */
  nearestMs: number;
}

export function hitsInWindow(sortedTimes: readonly number[], at: number, windowMs: number): WindowHits | null {
  let packets = 0;
  let nearestMs = Infinity;
  for (const t of sortedTimes) {
    if (t < at - windowMs) continue;
    if (t > at + windowMs) break;
    packets++;
    nearestMs = Math.min(nearestMs, Math.abs(t - at));
  }
  return packets > 0 ? { packets, nearestMs } : null;
}
