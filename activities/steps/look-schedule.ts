/**
 * When to look at a phone while waiting for a message to show (pure). Looks every LOOK_POLL_MS
 * from the end of the sending step left, on average, half an interval between the moment a
 * message showed and the look that saw it: ~50 ms of each message's step, and ~0.5 s of every
 * measurement's ten. The messages of one measurement cross the same world, so each one shows
 * about as long after its send as the one before: the looks learn that time.
 *
 * What is learned is a window (lo, hi], in ms after the sending step: the message was not there
 * at lo and was at hi. The next message's looks land on the window's middle and on its end (and
 * every LOOK_POLL_MS before them, spread evenly), so the look that sees it comes a few ms after
 * it shows instead of up to a whole interval. The window halves with every message as long as the
 * world stays the same; a message that comes later than the window falls back to looks every
 * LOOK_POLL_MS and starts a new one.
 *
 * What is measured does not change: every time still comes from real looks and carries their
 * bracket (observed.ts), and no two looks are further apart than LOOK_POLL_MS, so no bracket is
 * wider than with fixed looks; most are narrower. The looks per message stay about as many.
 */

/** The time a message took to show, as the looks bound it (ms after the sending step). */
export interface ShowWindow {
  /** A look this long after the sending step did not see it (0: the sending step itself). */
  lo: number;
  /** A look this long after it saw it. */
  hi: number;
}

/** A window is not split below this width: the world's jitter would make the looks miss it. */
export const MIN_WINDOW_MS = 16;

/** The points a look should land on, after `last` (ms after the sending step). */
function targets(w: ShowWindow): number[] {
  if (w.hi - w.lo < 2 * MIN_WINDOW_MS) return [w.hi];
  return [(w.lo + w.hi) / 2, w.hi];
}

/**
 * The moment of the next look (ms after the sending step), given the last look's moment. Without
 * a window: every `pollMs`. With one: on its targets, with the looks before each target spread
 * evenly so none is more than `pollMs` after the one before; after the targets: every `pollMs`.
 */
export function nextLookAt(o: { last: number; window: ShowWindow | null; pollMs: number }): number {
  const target = o.window ? targets(o.window).find((t) => t > o.last + 1) : undefined;
  if (target === undefined) return o.last + o.pollMs;
  const steps = Math.ceil((target - o.last) / o.pollMs);
  return o.last + (target - o.last) / steps;
}

/**
 * The window after a message: the last look that did not see it and the first that did (ms
 * after the sending step). While the message came within the old window, the old lower bound
 * still holds (it showed later than that before): the window narrows. Null when it never showed.
 */
export function learnWindow(o: { before: ShowWindow | null; lastMiss: number | null; hit: number | null }): ShowWindow | null {
  if (o.hit === null) return null;
  const miss = o.lastMiss ?? 0;
  const lo = o.before && o.before.lo < o.hit ? Math.max(miss, o.before.lo) : miss;
  return { lo: Math.min(lo, o.hit), hi: o.hit };
}
