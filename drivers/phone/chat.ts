/**
 * The message bubbles of an open chat in a `uiautomator dump`, read the way the app's YAML
 * says (lib/config/app.ts `observe`): the view holding a message's text, how an outgoing
 * bubble is told from an incoming one (it carries the app's status view, or sits on the right),
 * and which content-desc of the status view means the server has the message.
 */
import type { ChatObserve } from '../../lib/config/app';
import type { UiElement } from './ui-xml';

export interface ChatBubble {
  text: string;
  direction: 'in' | 'out';
  /** content-desc (else text) of the bubble's status view; null without one. */
  status: string | null;
}

function within(els: readonly UiElement[], i: number, ancestor: number): boolean {
  for (let p = els[i].parent; p >= 0; p = els[p].parent) if (p === ancestor) return true;
  return false;
}

/** The chat's bubbles, top to bottom as the dump lists them. */
export function chatBubbles(els: readonly UiElement[], o: ChatObserve): ChatBubble[] {
  const screenRight = Math.max(0, ...els.map((e) => e.bounds[2]));
  const out: ChatBubble[] = [];
  els.forEach((e) => {
    if (e.resourceId !== o.messageTextId) return;
    const bubble = e.parent;
    const statusIdx = o.statusId === undefined || bubble < 0 ? -1 : els.findIndex((s, j) => s.resourceId === o.statusId && within(els, j, bubble));
    const status = statusIdx >= 0 ? els[statusIdx].contentDesc || els[statusIdx].text || null : null;
    const outgoing = o.outgoingBy === 'status-view' ? statusIdx >= 0 : (e.bounds[0] + e.bounds[2]) / 2 > screenRight / 2;
    out.push({ text: e.text, direction: outgoing ? 'out' : 'in', status });
  });
  return out;
}

/** How many bubbles of a direction show exactly this text. */
export function countBubbles(bubbles: readonly ChatBubble[], direction: 'in' | 'out', text: string): number {
  return bubbles.filter((b) => b.direction === direction && b.text === text).length;
}

/**
 * The bubbles a later look of the same chat shows below what an earlier look showed. A chat on
 * screen is a window on an append-only list scrolled to its end: new bubbles come in at the
 * bottom and push the oldest out at the top. So the later look is the earlier one less some
 * bubbles at the top plus the new ones; the fewest dropped that fits is taken (bubbles compared
 * by direction and text: a status changes). When nothing of the earlier look is left (another
 * screen, a scrolled chat, more new bubbles than the screen holds), null: not known.
 */
export function bubblesAddedSince(before: readonly ChatBubble[], after: readonly ChatBubble[]): ChatBubble[] | null {
  const same = (a: ChatBubble, b: ChatBubble): boolean => a.direction === b.direction && a.text === b.text;
  for (let dropped = 0; dropped < before.length; dropped++) {
    const kept = before.length - dropped;
    if (kept > after.length) continue;
    let fits = true;
    for (let i = 0; i < kept && fits; i++) fits = same(before[dropped + i], after[i]);
    if (fits) return after.slice(kept);
  }
  return null;
}

/** The newest (lowest on screen) bubble of a direction, if any. */
export function newestBubble(bubbles: readonly ChatBubble[], direction: 'in' | 'out'): ChatBubble | undefined {
  return [...bubbles].reverse().find((b) => b.direction === direction);
}

/** Whether the newest outgoing bubble with this text carries a marker that the server has it. */
export function sentMarkerShown(bubbles: readonly ChatBubble[], text: string, o: ChatObserve): boolean {
  const b = [...bubbles].reverse().find((x) => x.direction === 'out' && x.text === text);
  return b?.status != null && (o.sentMarkers ?? []).includes(b.status);
}
