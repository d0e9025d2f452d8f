/**
 * What the messaging timers cost on a Temporal server with its default timer queue. It fires a
 * timer no sooner than history.timerProcessorMaxTimeShift (default 1 s) after it was started:
 * measured on the CLI dev server v1.5.1, workflow timers of 0.1, 0.4, 0.7 and 1.0 s all fired
 * after 1.00 s, 1.2 s after 1.21 s and 1.5 s after 1.51 s. A campaign whose timerScale makes a
 * wait shorter than that therefore runs longer than its configured timers say; plans and
 * benchmarks show both figures. `matador server` lowers the shift to 100 ms
 * (ops/dev-server.ts DEV_SERVER_TIMER_SHIFT; bench/profile/timers.ts: 0.1 s fires after 0.10 s,
 * 0.5 s after 0.50 s), so there the figures below are the configured ones.
 */

export const SERVER_MIN_TIMER_SECONDS = 1;

/** Seconds one workflow timer of `seconds` lasts on the server (0 means no timer at all). */
export function timerAsRunSeconds(seconds: number): number {
  return seconds > 0 ? Math.max(SERVER_MIN_TIMER_SECONDS, seconds) : 0;
}

/**
 * The waits of one measurement as the measurement workflow takes them: one timer before each
 * message, then one timer for "after the last message" and the capture tail together.
 */
export function measurementWaitsAsRun(o: { messageWaits: readonly number[]; settleSeconds?: number; captureTailSeconds?: number }): { configured: number; asRun: number } {
  const waits = [...o.messageWaits, (o.settleSeconds ?? 0) + (o.captureTailSeconds ?? 0)];
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    configured: round(waits.reduce((sum, w) => sum + Math.max(0, w), 0)),
    asRun: round(waits.reduce((sum, w) => sum + timerAsRunSeconds(w), 0)),
  };
}
